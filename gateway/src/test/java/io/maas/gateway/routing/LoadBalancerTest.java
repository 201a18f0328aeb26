package io.maas.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.GatewayConfig;
import io.maas.model.WorkerAnnouncement;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Power of two choices on load = this gateway's in-flight requests + the worker's reported queue depth. */
class LoadBalancerTest {
  private static final GatewayConfig CONFIG = new GatewayConfig("127.0.0.1", 0, 0, 1, 1, 1000);

  static WorkerEndpoint worker(String id, int queueDepth) {
    WorkerAnnouncement a = new WorkerAnnouncement(id, "node", "maas.worker." + id + ".infer", "cpu", List.of(), 3000,
        queueDepth, false, 1);
    return new WorkerEndpoint(a, new WorkerGuard(id, CONFIG), System.nanoTime());
  }

  @Test
  void ofTwoWorkersTheOneWithTheShorterReportedQueueIsAlwaysPicked() {
    LoadBalancer balancer = new LoadBalancer(new SplittableRandom(42));
    List<WorkerEndpoint> two = List.of(worker("busy", 5), worker("idle", 0));
    for (int i = 0; i < 100; i++) {
      assertEquals("idle", balancer.pick(two).workerId());
    }
  }

  @Test
  void theGatewaysOwnInFlightCountAddsToTheReportedQueueDepth() {
    LoadBalancer balancer = new LoadBalancer(new SplittableRandom(7));
    WorkerEndpoint a = worker("a", 1);
    WorkerEndpoint b = worker("b", 2);
    Promise<Void> first = Promise.promise();
    Promise<Void> second = Promise.promise();
    a.started(first);
    a.started(second); // a: 2 in flight + 1 queued = 3 > b: 0 + 2
    for (int i = 0; i < 50; i++) {
      assertEquals("b", balancer.pick(List.of(a, b)).workerId());
    }
    a.finished(first);
    a.finished(second); // a: 1 < b: 2
    assertEquals("a", balancer.pick(List.of(a, b)).workerId());
  }

  @Test
  void equallyLoadedWorkersSharePicksEvenlyAndTheMostLoadedOfThreeIsNeverPicked() {
    LoadBalancer balancer = new LoadBalancer(new SplittableRandom(1));
    List<WorkerEndpoint> three = List.of(worker("x", 0), worker("y", 0), worker("z", 9));
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      picks.merge(balancer.pick(three).workerId(), 1, Integer::sum);
    }
    assertEquals(null, picks.get("z"), picks.toString());
    assertTrue(Math.abs(picks.get("x") - picks.get("y")) < 300, picks.toString());
  }
}
