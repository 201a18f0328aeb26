package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workers leaving under traffic: SIGTERM drains without failing a request; kill -9 fails at most the
 * requests that were on the dead worker, and it leaves the routing table within 5 s.
 */
@Tag("cluster")
class WorkerLeaveTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  private static final int CONCURRENCY = 8;

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  @Test
  void sigtermOnAWorkerUnderTrafficFailsNoRequest() {
    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.sim(20, 1));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.sim(20, 1));
    gateway.awaitLive(START);
    String idA = a.awaitId(START);
    String idB = b.awaitId(START);
    Traffic.awaitServedBy(gateway, List.of(idA, idB), START);

    try (LoadGenerator load = LoadGenerator.start(gateway.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, CONCURRENCY,
        Long.MAX_VALUE, Duration.ofSeconds(120))) {
      Poll.until(Duration.ofSeconds(30), idB + " serves under load", () -> load.snapshot().servedBy(idB) >= 20);
      b.jvm.terminate();
      assertTrue(b.jvm.awaitExit(Duration.ofSeconds(60)), "worker-b did not exit within 60 s of SIGTERM");
      long exitedAt = System.nanoTime();
      Poll.until(Duration.ofSeconds(30), "100 requests after worker-b exited",
          () -> load.snapshot().startedFrom(exitedAt).successes() >= 100);
      LoadResult result = load.stop();

      assertEquals(0, result.failures(), "requests failed because a worker drained: " + result);
      assertEquals(0, result.startedFrom(exitedAt).servedBy(idB), result.toString());
      assertTrue(result.startedFrom(exitedAt).servedBy(idA) >= 100, result.toString());
    }
  }

  @Test
  void killMinus9OnAWorkerUnderTrafficFailsOnlyItsInFlightRequestsAndItLeavesWithin5s() {
    GatewayProcess gateway = cluster.startGateway("gateway", "gateway.request_timeout_ms=5000");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.sim(20, 1));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.sim(20, 1));
    gateway.awaitLive(START);
    String idA = a.awaitId(START);
    String idB = b.awaitId(START);
    Traffic.awaitServedBy(gateway, List.of(idA, idB), START);

    try (LoadGenerator load = LoadGenerator.start(gateway.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, CONCURRENCY,
        Long.MAX_VALUE, Duration.ofSeconds(120))) {
      Poll.until(Duration.ofSeconds(30), idB + " serves under load", () -> load.snapshot().servedBy(idB) >= 20);
      long killedAt = System.nanoTime();
      b.jvm.kill();
      assertTrue(b.jvm.awaitExit(Duration.ofSeconds(10)), "worker-b survived kill -9");
      long removedBy = killedAt + Duration.ofSeconds(5).toNanos();
      Poll.until(Duration.ofSeconds(40), "100 answers to requests started 5 s after the kill",
          () -> load.snapshot().startedFrom(removedBy).total() >= 100);
      LoadResult result = load.stop();

      LoadResult answeredBefore = result.where(o -> o.endNanos() - killedAt < 0);
      LoadResult after = result.startedFrom(removedBy);
      assertEquals(0, answeredBefore.failures(), "failures before the kill: " + answeredBefore);
      assertEquals(0, after.failures(), "failures once worker-b had to be out of the routing table: " + after);
      assertEquals(0, after.servedBy(idB), after.toString());
      // the only failures: requests that were on worker-b when it died, at most one per client
      assertTrue(result.failures() <= CONCURRENCY,
          result.failures() + " failures, more than the " + CONCURRENCY + " requests that can be in flight: " + result);
    }
  }
}
