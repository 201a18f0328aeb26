package io.maas.gateway.grpc;

import io.maas.config.GatewayConfig;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpcService;
import io.maas.gateway.grpc.reflection.ServerReflection;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.repository.RepositoryControl;
import io.maas.gateway.stats.ClusterStatistics;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.routing.WorkerRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;

/**
 * The gRPC edge: {@code inference.GRPCInferenceService} plus the standard {@code grpc.health.v1.Health}
 * service, which reports SERVING (for the server, "", and for the inference service) while the worker
 * registry is ready, and server reflection (v1 and v1alpha) over all of them. Messages are limited to
 * {@code gateway.max_body_bytes}, as REST bodies are.
 */
public final class GrpcEdge {
  private GrpcEdge() {}

  /**
   * The request handler to mount on an HTTP/2 server.
   *
   * @param repository the cluster-wide load and unload (the repository RPCs)
   * @param statistics the cluster's statistics (ModelStatistics)
   * @param admission the API-key check of every RPC but the health ones; null: keys are off
   */
  public static GrpcServer create(Vertx vertx, WorkerRegistry registry, InferencePipeline pipeline,
      RepositoryControl repository, ClusterStatistics statistics, GatewayConfig config, Admission admission) {
    GrpcServerOptions options = new GrpcServerOptions()
        .setMaxMessageSize(config.maxBodyBytes())
        .setScheduleDeadlineAutomatically(true);
    HealthService health = HealthService.create(vertx)
        .register("", () -> Future.succeededFuture(registry.isReady()))
        .register(GRPCInferenceServiceGrpcService.SERVICE_NAME, () -> Future.succeededFuture(registry.isReady()));
    return GrpcServer.server(vertx, options)
        .addService(new InferenceGrpcService(registry, pipeline, repository, statistics, config.maxTensorElements(),
            config.maxBodyBytes(), admission))
        .addService(health)
        .addService(ServerReflection.v1())
        .addService(ServerReflection.v1alpha());
  }
}
