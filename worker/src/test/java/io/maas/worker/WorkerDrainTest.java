package io.maas.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bus.Addresses;
import io.maas.config.SimConfig;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.WorkerAnnouncement;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.TestWorkers.Deployed;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful leave: a worker verticle undeployed (what SIGTERM does through the shutdown hook) loses no
 * request. The sim device holds each request for a known time, so requests are surely in flight.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class WorkerDrainTest {

  private static final long HOLD_MS = 600;
  private static final long GRACE_MS = 500;

  @TempDir
  Path dir;

  private Deployed deploy(Vertx vertx) throws Exception {
    return TestWorkers.deploy(vertx, TestWorkers.simWorker(TestWorkers.repository(dir, 8),
        new SimConfig(HOLD_MS, 0, 0), GRACE_MS)).await(20, TimeUnit.SECONDS);
  }

  private static Future<InferenceResponse> infer(Vertx vertx, Deployed w) {
    InferenceRequest r = new InferenceRequest("ident", "", "", List.of(
        new Tensor("INPUT0", DataType.FP32, new long[] {1, 3}, new byte[12])), List.of(), null);
    return vertx.eventBus().<InferenceResponse>request(w.ready().address(), r).map(m -> m.body());
  }

  /** The next announcement of this worker that matches. */
  private static Future<WorkerAnnouncement> announcement(Vertx vertx, Deployed w, Predicate<WorkerAnnouncement> test) {
    Promise<WorkerAnnouncement> seen = Promise.promise();
    var consumer = vertx.eventBus().<JsonObject>consumer(Addresses.ANNOUNCE, m -> {
      WorkerAnnouncement a = WorkerAnnouncement.fromJson(m.body());
      if (a.workerId().equals(w.ready().workerId()) && test.test(a)) {
        seen.tryComplete(a);
      }
    });
    return consumer.completion().compose(v -> seen.future()).eventually(consumer::unregister);
  }

  @Test
  void requestsInFlightWhenTheVerticleIsUndeployedAllComplete(Vertx vertx) throws Exception {
    Deployed w = deploy(vertx);
    Future<WorkerAnnouncement> busy = announcement(vertx, w, a -> a.queueDepth() == 8);
    List<Future<InferenceResponse>> inFlight = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      inFlight.add(infer(vertx, w));
    }
    assertEquals(8, busy.await(10, TimeUnit.SECONDS).queueDepth(), "the announced queue depth");
    Future<Void> undeployed = vertx.undeploy(w.deploymentId());
    Future.all(inFlight).await(10, TimeUnit.SECONDS);
    for (Future<InferenceResponse> f : inFlight) {
      assertEquals("ident", f.result().model());
    }
    undeployed.await(10, TimeUnit.SECONDS);
  }

  @Test
  void drainingWorkerAnnouncesItDepartsAndStillServesRequestsRoutedDuringTheGrace(Vertx vertx) throws Exception {
    Deployed w = deploy(vertx);
    Future<WorkerAnnouncement> busy = announcement(vertx, w, a -> a.queueDepth() == 2);
    Future<InferenceResponse> first = infer(vertx, w);
    Future<InferenceResponse> second = infer(vertx, w);
    busy.await(10, TimeUnit.SECONDS);
    Future<WorkerAnnouncement> draining = announcement(vertx, w, WorkerAnnouncement::draining);
    Promise<String> departed = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(Addresses.DEPART, m -> departed.tryComplete(m.body().getString("worker_id")))
        .completion().await(5, TimeUnit.SECONDS);

    Future<Void> undeployed = vertx.undeploy(w.deploymentId());
    assertEquals(w.ready().workerId(), departed.future().await(5, TimeUnit.SECONDS));
    WorkerAnnouncement last = draining.await(5, TimeUnit.SECONDS);
    assertEquals(2, last.queueDepth(), "the draining announcement counts what the worker still holds");
    // a gateway that routed before it heard of the departure: the request arrives within the grace period
    Future<InferenceResponse> late = infer(vertx, w);

    Future.all(first, second, late).await(10, TimeUnit.SECONDS);
    undeployed.await(10, TimeUnit.SECONDS);
    Throwable after = infer(vertx, w).transform(ar -> Future.succeededFuture(ar.cause())).await(5, TimeUnit.SECONDS);
    assertEquals(ReplyFailure.NO_HANDLERS, assertInstanceOf(ReplyException.class, after).failureType());
  }

  @Test
  void undeployWaitsForTheRequestsItHolds(Vertx vertx) throws Exception {
    Deployed w = deploy(vertx);
    Future<WorkerAnnouncement> busy = announcement(vertx, w, a -> a.queueDepth() == 1);
    long sent = System.nanoTime();
    Future<InferenceResponse> running = infer(vertx, w);
    busy.await(10, TimeUnit.SECONDS);
    vertx.undeploy(w.deploymentId()).await(10, TimeUnit.SECONDS);
    long undeployedAfter = (System.nanoTime() - sent) / 1_000_000;
    assertTrue(running.succeeded(), "the request was answered before the verticle stopped");
    assertTrue(undeployedAfter >= Math.max(HOLD_MS, GRACE_MS), "stopped after " + undeployedAfter + " ms");
  }
}
