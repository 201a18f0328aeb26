package io.maas.gateway.pipeline;

import io.maas.bus.Addresses;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.routing.LoadBalancer;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import java.util.List;

/**
 * The one request flow every edge shares: resolve the model version, pick a worker that holds it READY,
 * send the request over the event bus to that worker's own address, and map any failure to an
 * {@link ErrorCode}. Edges only decode before and encode after.
 */
public final class InferencePipeline {
  private final Vertx vertx;
  private final WorkerRegistry registry;
  private final LoadBalancer balancer;
  private final long timeoutMillis;

  public InferencePipeline(Vertx vertx, WorkerRegistry registry, LoadBalancer balancer, long timeoutMillis) {
    this.vertx = vertx;
    this.registry = registry;
    this.balancer = balancer;
    this.timeoutMillis = timeoutMillis;
  }

  public Future<InferenceResponse> infer(InferenceRequest request, String requestId) {
    WorkerEndpoint worker;
    InferenceRequest resolved;
    try {
      ModelStatus version = registry.resolve(request.model(), request.version());
      resolved = request.withVersion(version.version());
      List<WorkerEndpoint> candidates = registry.candidates(resolved.model(), resolved.version());
      if (candidates.isEmpty()) {
        throw MaasException.unavailable("no worker holds model '%s' version %s ready", request.model(), resolved.version());
      }
      worker = balancer.pick(candidates);
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
    DeliveryOptions delivery = new DeliveryOptions()
        .setSendTimeout(timeoutMillis)
        .addHeader(Addresses.REQUEST_ID_HEADER, requestId);
    worker.started();
    return vertx.eventBus().<InferenceResponse>request(worker.address(), resolved, delivery)
        .andThen(done -> worker.finished())
        .map(Message::body)
        .recover(e -> Future.failedFuture(toMaas(e, worker)));
  }

  /** Maps an event-bus failure to the maas error it stands for. */
  static MaasException toMaas(Throwable e, WorkerEndpoint worker) {
    if (e instanceof MaasException m) {
      return m;
    }
    if (e instanceof ReplyException r) {
      return switch (r.failureType()) {
        case RECIPIENT_FAILURE -> new MaasException(ErrorCode.fromWireId(r.failureCode()), r.getMessage());
        case TIMEOUT -> new MaasException(ErrorCode.DEADLINE_EXCEEDED,
            "worker " + worker.workerId() + " did not answer in time");
        case NO_HANDLERS -> MaasException.unavailable("worker %s is not reachable", worker.workerId());
        default -> new MaasException(ErrorCode.INTERNAL, "event-bus failure: " + r.getMessage(), r);
      };
    }
    return new MaasException(ErrorCode.INTERNAL, "unexpected failure: " + e, e);
  }
}
