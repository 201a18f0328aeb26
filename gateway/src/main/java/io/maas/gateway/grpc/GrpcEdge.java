package io.maas.gateway.grpc;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.config.GatewayConfig;
import io.maas.gateway.edge.BodyBudget;
import io.maas.gateway.grpc.reflection.ServerReflection;
import io.maas.gateway.grpc.status.GrpcStatusMessage;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpcService;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.repository.RepositoryControl;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.gateway.stats.ClusterStatistics;
import io.maas.gateway.tenancy.Admission;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The gRPC edge: {@code inference.GRPCInferenceService} plus the standard {@code grpc.health.v1.Health}
 * service, which reports SERVING (for the server, "", and for the inference service) while the worker
 * registry is ready, and server reflection (v1 and v1alpha) over all of them. Messages are limited to
 * {@code gateway.max_body_bytes}, and held to the body memory budget and read timeout, as REST bodies are.
 *
 * <p>It serves gRPC over HTTP/2 only: Vert.x's gRPC-Web, gRPC-Web-text and JSON transcoding are not documented or
 * tested here, and answered malformed bodies with a hang (bad base64) or a 500 (no transcoder); their content types
 * get 415. A call's message encoding is declared before Vert.x reads it (see
 * {@link RequestMessages#declareEncoding}).
 */
public final class GrpcEdge {
  private static final String STREAM_INFER = "/" + GRPCInferenceServiceGrpcService.SERVICE_NAME.fullyQualifiedName()
      + "/" + GRPCInferenceServiceGrpcService.ModelStreamInfer.methodName();

  private GrpcEdge() {}

  /**
   * Answers a call of a method no service has UNIMPLEMENTED at once; what the client still sends is dropped unread
   * (Vert.x's own handler of a message over the size limit would end the call a second time).
   */
  private static void unknownMethod(GrpcServerRequest<Buffer, Buffer> call) {
    call.invalidMessageHandler(e -> { }).exceptionHandler(e -> { }).handler(message -> { });
    GrpcStatusMessage.end(call.response(), GrpcStatus.UNIMPLEMENTED, "Method not found: " + call.fullMethodName());
  }

  /**
   * The request handler to mount on an HTTP/2 server: each call's messages held to the body budget and the body
   * read timeout (see {@link BudgetedGrpcRequest}).
   *
   * @param repository the cluster-wide load and unload (the repository RPCs)
   * @param statistics the cluster's statistics (ModelStatistics)
   * @param admission the API-key check of every RPC but the health ones; {@link Admission#OPEN}: keys are off
   */
  public static Handler<HttpServerRequest> create(Vertx vertx, WorkerRegistry registry, InferencePipeline pipeline,
      RepositoryControl repository, ClusterStatistics statistics, GatewayConfig config, Admission admission,
      BodyBudget budget) {
    GrpcServerOptions options = new GrpcServerOptions()
        .setMaxMessageSize(config.maxBodyBytes())
        .setScheduleDeadlineAutomatically(true)
        .removeEnabledProtocol(GrpcProtocol.WEB)
        .removeEnabledProtocol(GrpcProtocol.WEB_TEXT)
        .removeEnabledProtocol(GrpcProtocol.TRANSCODING);
    BooleanSupplier ready = registry::isReady;
    GrpcServer server = GrpcServer.server(vertx, options)
        .addService(new InferenceGrpcService(registry, pipeline, repository, statistics, EdgeLimits.of(config),
            config.maxBodyBytes(), config.maxRequestTimeoutMillis(), admission))
        .addService(new HealthGrpcService(vertx,
            Map.of("", ready, GRPCInferenceServiceGrpcService.SERVICE_NAME.fullyQualifiedName(), ready),
            config.maxBodyBytes()))
        .addService(ServerReflection.v1())
        .addService(ServerReflection.v1alpha())
        // an unknown method: Vert.x's own answer writes the path into grpc-message unencoded ('%' included)
        .callHandler(GrpcEdge::unknownMethod);
    long readTimeout = config.bodies().readTimeoutSeconds();
    return request -> {
      RequestMessages.declareEncoding(request);
      server.handle(new BudgetedGrpcRequest((HttpServerRequestInternal) request, budget, config.maxBodyBytes(),
          readTimeout, request.path().equals(STREAM_INFER)));
    };
  }
}
