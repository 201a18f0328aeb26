package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scale-out with real processes on 127.0.0.1: one gateway balances simulated workers (each holds one
 * slot per request for 20 ms, computing nothing, so two cores are never the bottleneck), a worker
 * started mid-traffic takes its share at once, and two gateways serve one pool.
 */
@Tag("cluster")
class ScaleOutTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  @Test
  void twoWorkersUnderSteadyTrafficEachServeBetween30And70PercentOfRequests() {
    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.sim(20, 1));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.sim(20, 1));
    gateway.awaitLive(START);
    List<String> ids = List.of(a.awaitId(START), b.awaitId(START));
    Traffic.awaitServedBy(gateway, ids, START);

    LoadResult load = LoadGenerator.start(gateway.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, 8, 400,
        Duration.ofSeconds(60)).awaitDone();

    assertEquals(400, load.total(), load.toString());
    assertEquals(0, load.failures(), load.toString());
    for (String id : ids) {
      double share = (double) load.servedBy(id) / load.total();
      assertTrue(share >= 0.3 && share <= 0.7, id + " served " + share + " of the requests: " + load);
    }
  }

  @Test
  void aThirdWorkerStartedMidTrafficReceivesTrafficWithin5sOfJoining() {
    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.sim(20, 1));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.sim(20, 1));
    gateway.awaitLive(START);
    Traffic.awaitServedBy(gateway, List.of(a.awaitId(START), b.awaitId(START)), START);

    try (LoadGenerator load = LoadGenerator.start(gateway.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, 8,
        Long.MAX_VALUE, Duration.ofSeconds(120))) {
      WorkerProcess c = cluster.startWorker("worker-c", WorkerOptions.sim(20, 1));
      String idC = c.awaitId(START);
      long joinedAt = System.nanoTime();  // its verticle listens: it has joined and can take requests
      long servedAt = Poll.until(Duration.ofSeconds(30), idC + " serves a request",
          () -> { var first = load.snapshot().firstServedAt(idC);
            return first.isPresent() ? java.util.Optional.of(first.getAsLong()) : java.util.Optional.empty(); });
      LoadResult result = load.stop();

      long afterMs = (servedAt - joinedAt) / 1_000_000;
      assertTrue(afterMs <= 5_000, idC + " first served " + afterMs + " ms after joining: " + result);
      assertEquals(0, result.failures(), "a worker joining made requests fail: " + result);
    }
  }

  @Test
  void twoGatewaysRouteToTheSamePool() {
    GatewayProcess first = cluster.startGateway("gateway-1");
    GatewayProcess second = cluster.startGateway("gateway-2");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.sim(20, 1));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.sim(20, 1));
    first.awaitLive(START);
    second.awaitLive(START);
    Set<String> ids = Set.of(a.awaitId(START), b.awaitId(START));
    Traffic.awaitServedBy(first, ids, START);
    Traffic.awaitServedBy(second, ids, START);

    try (LoadGenerator one = LoadGenerator.start(first.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, 4, 200,
            Duration.ofSeconds(60));
        LoadGenerator two = LoadGenerator.start(second.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, 4, 200,
            Duration.ofSeconds(60))) {
      LoadResult viaFirst = one.awaitDone();
      LoadResult viaSecond = two.awaitDone();
      for (LoadResult r : List.of(viaFirst, viaSecond)) {
        assertEquals(200, r.total(), r.toString());
        assertEquals(0, r.failures(), r.toString());
        assertEquals(ids, r.servedBy().keySet(), "each gateway routes to both workers: " + r);
      }
    }
  }
}
