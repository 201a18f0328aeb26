package io.maas.gateway.pipeline;

import io.maas.config.GatewayConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.routing.LoadBalancer;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The one request flow every edge shares: resolve the model version, set the request's deadline, and
 * dispatch to a worker that holds it READY ({@link Dispatcher}: balanced, guarded, retried once when
 * safe), mapping any failure to an {@link ErrorCode}. Edges only decode before and encode after.
 */
public final class InferencePipeline {
  private final WorkerRegistry registry;
  private final Dispatcher dispatcher;
  private final long defaultTimeoutMillis;
  private final long maxTimeoutMillis;

  public InferencePipeline(Vertx vertx, WorkerRegistry registry, LoadBalancer balancer, GatewayConfig config) {
    this.registry = registry;
    this.dispatcher = new Dispatcher(vertx, balancer, System::nanoTime);
    this.defaultTimeoutMillis = config.requestTimeoutMillis();
    this.maxTimeoutMillis = config.maxRequestTimeoutMillis();
  }

  public Future<InferenceResponse> infer(InferenceRequest request, String requestId) {
    return inferServed(request, requestId).map(Served::response);
  }

  /** Runs the request and tells which worker served it. */
  public Future<Served> inferServed(InferenceRequest request, String requestId) {
    try {
      Deadline deadline = Deadline.of(request.parameters(), defaultTimeoutMillis, maxTimeoutMillis, System.nanoTime());
      ModelStatus version = registry.resolve(request.model(), request.version());
      InferenceRequest resolved = request.withVersion(version.version());
      return dispatcher.dispatch(resolved, registry.candidates(resolved.model(), resolved.version()), deadline,
          requestId);
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
  }
}
