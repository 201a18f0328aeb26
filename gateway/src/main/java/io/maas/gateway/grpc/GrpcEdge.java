package io.maas.gateway.grpc;

import io.maas.config.GatewayConfig;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpcService;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.gateway.edge.BodyBudget;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.Vertx;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;

/**
 * The gRPC edge: {@code inference.GRPCInferenceService} plus the standard {@code grpc.health.v1.Health}
 * service, which reports SERVING (for the server, "", and for the inference service) while the worker
 * registry is ready. Messages are limited to {@code gateway.max_body_bytes}, and held to the body memory budget
 * and read timeout, as REST bodies are.
 */
public final class GrpcEdge {
  private static final String STREAM_INFER = "/" + GRPCInferenceServiceGrpcService.SERVICE_NAME.fullyQualifiedName()
      + "/" + GRPCInferenceServiceGrpcService.ModelStreamInfer.methodName();

  private GrpcEdge() {}

  /**
   * The request handler to mount on an HTTP/2 server: each call's messages held to the body budget and the body
   * read timeout (see {@link BudgetedGrpcRequest}).
   *
   * @param admission the API-key check of every RPC but the health ones; null: keys are off
   */
  public static Handler<HttpServerRequest> create(Vertx vertx, WorkerRegistry registry, InferencePipeline pipeline,
      GatewayConfig config, Admission admission, BodyBudget budget) {
    GrpcServer server = server(vertx, registry, pipeline, config, admission);
    long readTimeout = config.bodies().readTimeoutSeconds();
    return request -> server.handle(new BudgetedGrpcRequest((HttpServerRequestInternal) request, budget,
        config.maxBodyBytes(), readTimeout, request.path().equals(STREAM_INFER)));
  }

  private static GrpcServer server(Vertx vertx, WorkerRegistry registry, InferencePipeline pipeline,
      GatewayConfig config, Admission admission) {
    GrpcServerOptions options = new GrpcServerOptions()
        .setMaxMessageSize(config.maxBodyBytes())
        .setScheduleDeadlineAutomatically(true);
    HealthService health = HealthService.create(vertx)
        .register("", () -> Future.succeededFuture(registry.isReady()))
        .register(GRPCInferenceServiceGrpcService.SERVICE_NAME, () -> Future.succeededFuture(registry.isReady()));
    return GrpcServer.server(vertx, options)
        .addService(new InferenceGrpcService(registry, pipeline, config.maxTensorElements(),
            config.maxBodyBytes(), admission))
        .addService(health);
  }
}
