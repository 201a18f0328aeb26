package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.maas.config.GatewayConfig;
import io.maas.config.MaasConfig;
import io.maas.config.WorkerConfig;
import io.maas.error.ErrorCode;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.node.MaasNode;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's guards on the worker hop, against a real standalone node (gateway + one ONNX worker) and,
 * for misbehaving workers, a TEST-ONLY {@link StandInWorker} announced next to the real one, or a second
 * real worker node in the same JVM whose cluster member is killed.
 */
class WorkerResilienceTest {
  private static final String MODEL = "/v2/models/pair/infer";
  private static final String BODY = "{\"inputs\":[{\"name\":\"INPUT0\",\"datatype\":\"INT32\",\"shape\":[1,2],\"data\":[4,5]}]}";
  private static final GatewayConfig.BreakerConfig BREAKER = new GatewayConfig.BreakerConfig(50, 4, 4, 1500, 2);

  @TempDir
  static Path repo;
  static RunningNode node;
  static WorkerRegistry registry;
  static WorkerEndpoint real;

  @BeforeAll
  static void start() throws Exception {
    TestRepository.write(repo, "pair", 1, OnnxModelBuilder.identity("pair", ElemType.INT32, -1, 2));
    MaasConfig c = RunningNode.config(repo, "maas-test-" + UUID.randomUUID());
    node = new RunningNode(new MaasConfig(c.gateway().withBreaker(BREAKER), c.worker(), c.cluster()),
        MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    registry = node.gateway().registry();
    real = registry.candidates("pair", "1").get(0);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static StandInWorker deployStandIn(ErrorCode failure) {
    StandInWorker s = new StandInWorker("stand-in-" + UUID.randomUUID().toString().substring(0, 8),
        real.announcement().models(), real.address(), failure);
    node.node.vertx().deployVerticle(s).await();
    await(() -> registry.candidates("pair", "1").stream().anyMatch(w -> w.workerId().equals(s.workerId)),
        Duration.ofSeconds(10), "stand-in routable");
    return s;
  }

  private static void undeploy(StandInWorker s) {
    node.node.vertx().undeploy(s.deploymentId()).await();
  }

  @Test
  void aWorkerRefusingWithUnavailableCostsNoRequestEachIsRetriedOnTheOther() throws Exception {
    StandInWorker draining = deployStandIn(ErrorCode.UNAVAILABLE);
    try {
      for (int i = 0; i < 30; i++) {
        HttpResponse<String> r = node.post(MODEL, BODY);
        assertEquals(200, r.statusCode(), r.body() + " " + table());
        assertEquals(real.workerId(), r.headers().firstValue("X-Maas-Worker").orElse(""));
      }
      assertTrue(draining.received.get() > 0, "the stand-in was tried (and each of its refusals retried)");
      WorkerEndpoint standIn = registry.candidates("pair", "1").stream()
          .filter(w -> w.workerId().equals(draining.workerId)).findFirst().orElseThrow();
      assertEquals(CircuitBreaker.State.CLOSED, standIn.guard().breakerState(), "refusals do not blame the worker");
    } finally {
      undeploy(draining);
    }
  }

  @Test
  void aFailingWorkersBreakerOpensSoItGetsNoTrafficAndItGetsTrafficAgainAfterItHeals() throws Exception {
    StandInWorker broken = deployStandIn(ErrorCode.INTERNAL);
    try {
      WorkerEndpoint standIn = registry.candidates("pair", "1").stream()
          .filter(w -> w.workerId().equals(broken.workerId)).findFirst().orElseThrow();
      int failures = 0;
      for (int i = 0; i < 40 && standIn.guard().breakerState() != CircuitBreaker.State.OPEN; i++) {
        HttpResponse<String> r = node.post(MODEL, BODY);
        if (r.statusCode() != 200) {
          assertEquals(500, r.statusCode(), r.body()); // INTERNAL after the worker ran it: not retried
          failures++;
        }
      }
      assertEquals(CircuitBreaker.State.OPEN, standIn.guard().breakerState());
      assertTrue(failures >= 2 && failures <= 4, "failures before it opened: " + failures);
      int seen = broken.received.get();
      for (int i = 0; i < 20 && standIn.guard().breakerState() == CircuitBreaker.State.OPEN; i++) {
        HttpResponse<String> r = node.post(MODEL, BODY);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(real.workerId(), r.headers().firstValue("X-Maas-Worker").orElse(""));
      }
      assertEquals(seen, broken.received.get(), "no request reached it while its breaker was open");

      broken.heal();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      boolean servedAgain = false;
      while (!servedAgain && System.nanoTime() < deadline) {
        HttpResponse<String> r = node.post(MODEL, BODY);
        assertEquals(200, r.statusCode(), r.body());
        servedAgain = broken.workerId.equals(r.headers().firstValue("X-Maas-Worker").orElse(""));
        node.node.vertx().timer(20).await();
      }
      assertTrue(servedAgain, "the healed worker served again after the breaker's wait");
      await(() -> {
        try {
          node.post(MODEL, BODY);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        return standIn.guard().breakerState() == CircuitBreaker.State.CLOSED;
      }, Duration.ofSeconds(10), "breaker closed after successful probes");
    } finally {
      undeploy(broken);
    }
  }

  @Test
  void aKilledWorkerMemberLeavesRoutingWithinFiveSecondsAndRequestsKeepSucceeding(@TempDir Path workerRepo)
      throws Exception {
    TestRepository.write(workerRepo, "pair", 1, OnnxModelBuilder.identity("pair", ElemType.INT32, -1, 2));
    MaasConfig c = RunningNode.config(workerRepo, node.config.cluster().name());
    // a long announcement TTL (3 x 3 s): leaving within 5 s can only come from the membership event
    MaasConfig slow = new MaasConfig(c.gateway(),
        new WorkerConfig(workerRepo, c.worker().slots(), 3000, 0), c.cluster());
    RunningNode other = new RunningNode(slow, MaasNode.Mode.WORKER);
    try {
      await(() -> registry.candidates("pair", "1").size() == 2, Duration.ofSeconds(30), "second worker routable");
      String victim = registry.candidates("pair", "1").stream().filter(w -> w != real).findFirst().orElseThrow()
          .workerId();
      Set<String> servedBy = new HashSet<>();
      for (int i = 0; i < 200 && servedBy.size() < 2; i++) {
        HttpResponse<String> r = node.post(MODEL, BODY);
        assertEquals(200, r.statusCode(), r.body());
        servedBy.add(r.headers().firstValue("X-Maas-Worker").orElse(""));
      }
      assertEquals(Set.of(real.workerId(), victim), servedBy);

      long killed = System.nanoTime();
      ((HazelcastClusterManager) ((VertxInternal) other.node.vertx()).clusterManager())
          .getHazelcastInstance().getLifecycleService().terminate(); // no goodbye: a crash, as the cluster sees it
      List<Integer> failures = new ArrayList<>();
      long left = -1;
      int after = 0;
      while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(8) && (left < 0 || after < 30)) {
        HttpResponse<String> r = node.post(MODEL, BODY);
        if (r.statusCode() != 200) {
          failures.add(r.statusCode());
        }
        if (left < 0 && registry.workers().stream().noneMatch(w -> w.workerId().equals(victim))) {
          left = System.nanoTime() - killed;
        } else if (left >= 0) {
          assertEquals(200, r.statusCode(), "after it left: " + r.body());
          assertEquals(real.workerId(), r.headers().firstValue("X-Maas-Worker").orElse(""));
          after++;
        }
        node.node.vertx().timer(10).await();
      }
      assertTrue(left >= 0 && left < TimeUnit.SECONDS.toNanos(5), "left routing after " + left / 1_000_000 + " ms");
      // one client, one request at a time: at most the one in flight at the kill may fail
      assertTrue(failures.size() <= 1, "failed requests: " + failures);
    } finally {
      other.node.close().toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(20, TimeUnit.SECONDS);
    }
  }

  private static String table() {
    return registry.workers().stream().map(w -> w.workerId() + "/" + w.reachable() + "/" + w.guard().breakerState()
        + "/" + w.inFlight()).toList().toString();
  }

  static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + timeout);
      }
      node.node.vertx().timer(25).await();
    }
  }
}
