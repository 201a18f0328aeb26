package io.maas.gateway;

import io.maas.bus.Addresses;
import io.maas.error.ErrorCode;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST ONLY: a stand-in for a misbehaving worker. It listens on a worker address and announces the
 * models of a real worker, as a worker would; inference requests it answers with a chosen failure
 * ({@code INTERNAL}: a broken worker; {@code UNAVAILABLE}: a draining one) or, once healed, by forwarding
 * them to the real worker. The gateway's reachability probe (model "") gets NOT_FOUND, as from a worker.
 */
final class StandInWorker extends VerticleBase {
  final String workerId;
  private final List<ModelStatus> models;
  private final String healthyAddress;
  private volatile ErrorCode failure;
  final AtomicInteger received = new AtomicInteger();
  private MessageConsumer<InferenceRequest> consumer;
  private long timer;

  StandInWorker(String workerId, List<ModelStatus> models, String healthyAddress, ErrorCode failure) {
    this.workerId = workerId;
    this.models = models;
    this.healthyAddress = healthyAddress;
    this.failure = failure;
  }

  String deploymentId() {
    return context.deploymentID();
  }

  void heal() {
    failure = null;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.worker(workerId), this::onRequest);
    timer = vertx.setPeriodic(100, id -> announce());
    return consumer.completion().onSuccess(v -> announce());
  }

  private void onRequest(Message<InferenceRequest> m) {
    if (m.body().model().isEmpty()) {
      m.fail(ErrorCode.NOT_FOUND.wireId(), "no model ''");
      return;
    }
    received.incrementAndGet();
    ErrorCode f = failure;
    if (f != null) {
      m.fail(f.wireId(), "stand-in worker " + workerId + " fails with " + f);
      return;
    }
    vertx.eventBus().<InferenceResponse>request(healthyAddress, m.body())
        .onSuccess(r -> m.reply(r.body()))
        .onFailure(e -> m.fail(ErrorCode.INTERNAL.wireId(), e.getMessage()));
  }

  private void announce() {
    vertx.eventBus().publish(Addresses.ANNOUNCE, new WorkerAnnouncement(workerId, "stand-in-node",
        Addresses.worker(workerId), "cpu", models, 1000, 0, false, 1).toJson());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.eventBus().publish(Addresses.DEPART, new JsonObject().put("worker_id", workerId)); // as a worker does
    return consumer.unregister();
  }
}
