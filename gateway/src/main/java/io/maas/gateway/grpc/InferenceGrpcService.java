package io.maas.gateway.grpc;

import com.google.protobuf.Descriptors;
import io.maas.error.MaasException;
import io.maas.gateway.edge.EdgeLimits;
import io.maas.gateway.edge.ModelQueries;
import io.maas.gateway.edge.RequestIds;
import io.maas.gateway.edge.ServerInfo;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.repository.RepositoryControl;
import io.maas.gateway.stats.ClusterStatistics;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpcService;
import io.maas.gateway.grpc.v2.ModelConfigRequest;
import io.maas.gateway.grpc.v2.ModelConfigResponse;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.maas.gateway.grpc.v2.ModelMetadataRequest;
import io.maas.gateway.grpc.v2.ModelMetadataResponse;
import io.maas.gateway.grpc.v2.ModelMetadataResponse.TensorMetadata;
import io.maas.gateway.grpc.v2.ModelReadyRequest;
import io.maas.gateway.grpc.v2.ModelStatisticsRequest;
import io.maas.gateway.grpc.v2.ModelStatisticsResponse;
import io.maas.gateway.grpc.v2.ModelReadyResponse;
import io.maas.gateway.grpc.v2.ModelStreamInferResponse;
import io.maas.gateway.grpc.v2.ServerLiveRequest;
import io.maas.gateway.grpc.v2.ServerLiveResponse;
import io.maas.gateway.grpc.v2.ServerMetadataRequest;
import io.maas.gateway.grpc.v2.ServerMetadataResponse;
import io.maas.gateway.grpc.v2.ServerReadyRequest;
import io.maas.gateway.grpc.v2.ServerReadyResponse;
import io.maas.model.ModelStatus;
import io.maas.model.TensorSpec;
import io.maas.gateway.pipeline.Deadline;
import io.maas.inference.InferenceRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.tenancy.Caller;
import java.util.function.Supplier;

/**
 * {@code inference.GRPCInferenceService}, the KServe V2 gRPC API with Triton's model configuration, statistics
 * and repository RPCs: metadata answered from the worker registry, inference through the same
 * {@link InferencePipeline} as REST, the rest through what REST uses ({@link ModelQueries},
 * {@link ClusterStatistics}, {@link RepositoryControl}). Each call takes its request id from the
 * {@code x-request-id} metadata (or makes one) and returns it in the response headers.
 */
public final class InferenceGrpcService implements Service {
  static final String REQUEST_ID_HEADER = "x-request-id";
  /** Response header naming the worker that served a ModelInfer call. */
  static final String WORKER_HEADER = "x-maas-worker";
  /** Response headers of ModelStatistics: the workers asked, and those that answered in time. */
  static final String WORKERS_ASKED_HEADER = "x-maas-workers-asked";
  static final String WORKERS_ANSWERED_HEADER = "x-maas-workers-answered";

  private final WorkerRegistry registry;
  private final ModelQueries models;
  private final InferencePipeline pipeline;
  private final RepositoryRpcs repository;
  private final ClusterStatistics statistics;
  private final EdgeLimits limits;
  private final long maxMessageBytes;
  /** {@code gateway.max_request_timeout_ms}: the most a {@code grpc-timeout} gives a request. */
  private final long maxTimeoutMillis;
  private final GrpcCallers callers;

  /**
   * @param repository the cluster-wide load and unload of the repository RPCs
   * @param statistics the cluster's statistics, for ModelStatistics
   * @param maxTimeoutMillis the longest deadline a call's {@code grpc-timeout} gives its request
   * @param admission the API-key check (metadata {@code authorization: Bearer <key>} or {@code x-api-key});
   *     {@link Admission#OPEN}: off
   */
  public InferenceGrpcService(WorkerRegistry registry, InferencePipeline pipeline, RepositoryControl repository,
      ClusterStatistics statistics, EdgeLimits limits, long maxMessageBytes, long maxTimeoutMillis,
      Admission admission) {
    this.registry = registry;
    this.models = new ModelQueries(registry);
    this.pipeline = pipeline;
    this.repository = new RepositoryRpcs(registry, repository);
    this.statistics = statistics;
    this.limits = limits;
    this.maxMessageBytes = maxMessageBytes;
    this.maxTimeoutMillis = maxTimeoutMillis;
    this.callers = new GrpcCallers(admission);
  }

  @Override
  public ServiceName name() {
    return GRPCInferenceServiceGrpcService.SERVICE_NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return GRPCInferenceServiceGrpcService.SERVICE_DESCRIPTOR;
  }

  @Override
  public void bind(GrpcServer server) {
    // the health RPCs stay open; everything else needs a key when keys are on, or the admin token for load/unload
    GrpcCallers.Access open = GrpcCallers.Access.OPEN;
    GrpcCallers.Access key = GrpcCallers.Access.KEY;
    GrpcCallers.Access administrative = GrpcCallers.Access.ADMINISTRATIVE;
    unary(server, GRPCInferenceServiceGrpcService.ServerLive, open, (r, id, h, c) -> serverLive(r));
    unary(server, GRPCInferenceServiceGrpcService.ServerReady, open, (r, id, h, c) -> serverReady(r));
    unary(server, GRPCInferenceServiceGrpcService.ModelReady, key, (r, id, h, c) -> modelReady(r));
    unary(server, GRPCInferenceServiceGrpcService.ServerMetadata, key, (r, id, h, c) -> serverMetadata(r));
    unary(server, GRPCInferenceServiceGrpcService.ModelMetadata, key, (r, id, h, c) -> modelMetadata(r));
    modelInfer(server);
    unary(server, GRPCInferenceServiceGrpcService.ModelConfig, key, (r, id, h, c) -> modelConfig(r));
    unary(server, GRPCInferenceServiceGrpcService.ModelStatistics, key, (r, id, h, c) -> modelStatistics(r, h));
    unary(server, GRPCInferenceServiceGrpcService.RepositoryIndex, key, (r, id, h, c) -> repository.index(r));
    unary(server, GRPCInferenceServiceGrpcService.RepositoryModelLoad, administrative,
        (r, id, h, c) -> repository.load(r, c));
    unary(server, GRPCInferenceServiceGrpcService.RepositoryModelUnload, administrative,
        (r, id, h, c) -> repository.unload(r, c));
    ServiceMethod<ModelInferRequest, ModelStreamInferResponse> stream = GRPCInferenceServiceGrpcService.ModelStreamInfer;
    server.callHandler(stream, call -> {
      long deadline = deadlineOf(call); // the stream's: each request gets what is left of it
      new StreamInferCall(call, requestId(call), msg -> RequestMessages.decode(INFER_DECODER, msg, maxMessageBytes),
          (r, id, caller, gone) -> modelInfer(r, id, null, caller, gone, deadline))
          .start(callers.caller(call, GrpcCallers.Access.KEY));
    });
  }

  /** Infer requests decode with raw_input_contents aliasing the message bytes (see RequestMessages). */
  private static final GrpcMessageDecoder<ModelInferRequest> INFER_DECODER =
      RequestMessages.aliasing(ModelInferRequest.parser(), GRPCInferenceServiceGrpcService.ModelInfer.decoder());

  @SuppressWarnings("unchecked")
  private static <Req> GrpcMessageDecoder<Req> decoderFor(ServiceMethod<Req, ?> method) {
    return method == GRPCInferenceServiceGrpcService.ModelInfer
        ? (GrpcMessageDecoder<Req>) INFER_DECODER : method.decoder();
  }

  /** A unary RPC that may add response headers before the response is written. */
  private interface Rpc<Req, Resp> {
    Future<Resp> apply(Req request, String requestId, MultiMap responseHeaders, Caller caller);
  }

  private <Req, Resp> void unary(GrpcServer server, ServiceMethod<Req, Resp> method, GrpcCallers.Access access,
      Rpc<Req, Resp> rpc) {
    server.callHandler(method, call -> {
      String requestId = requestId(call);
      Future<Caller> caller = callers.caller(call, access);
      UnaryCall.answer(call, msg -> caller.compose(c -> rpc.apply(
          RequestMessages.decode(decoderFor(method), msg, maxMessageBytes), requestId, call.response().headers(), c)));
    });
  }

  /** ModelInfer: a unary call cancelled when its client goes away or its {@code grpc-timeout} passes. */
  private void modelInfer(GrpcServer server) {
    ServiceMethod<ModelInferRequest, ModelInferResponse> method = GRPCInferenceServiceGrpcService.ModelInfer;
    server.callHandler(method, call -> {
      String requestId = requestId(call);
      long deadline = deadlineOf(call);
      Future<Caller> caller = callers.caller(call, GrpcCallers.Access.KEY);
      UnaryCall.answer(call, (msg, gone) -> caller.compose(c -> modelInfer(
          RequestMessages.decode(INFER_DECODER, msg, maxMessageBytes), requestId, call.response().headers(), c, gone,
          deadline)));
    });
  }

  /** When a call's {@code grpc-timeout} passes ({@link System#nanoTime()}), or 0 when it sent none. */
  private static long deadlineOf(GrpcServerRequest<?, ?> call) {
    long millis = call.timeout();
    return millis > 0 ? System.nanoTime() + millis * 1_000_000L : 0;
  }

  /**
   * The request with the call's deadline as its own: the {@code timeout} parameter (µs) set to what is left of the
   * {@code grpc-timeout}, capped by {@code gateway.max_request_timeout_ms}, unless it asks for less already (a
   * {@code timeout} of the wrong type is left for the pipeline to refuse). What is left is rounded up to the next
   * millisecond, plus one: Vert.x's own timer answers the client DEADLINE_EXCEEDED first, which cancels the request
   * on its worker, and the pipeline's timer ends it DEADLINE_EXCEEDED just after (its sends round down to the
   * millisecond).
   */
  static InferenceRequest withinDeadline(InferenceRequest request, long deadlineNanos, long maxTimeoutMillis) {
    if (deadlineNanos == 0) {
      return request;
    }
    long leftMillis = Math.max(0, deadlineNanos - System.nanoTime() + 999_999) / 1_000_000 + 1;
    long left = Math.min(leftMillis, maxTimeoutMillis) * 1_000;
    Object own = request.parameters().getValue(Deadline.PARAMETER);
    if (own instanceof Integer || own instanceof Long) {
      if (((Number) own).longValue() > 0 && ((Number) own).longValue() <= left) {
        return request;
      }
    } else if (own != null) {
      return request;
    }
    return new InferenceRequest(request.model(), request.version(), request.id(), request.inputs(), request.outputs(),
        request.parameters().copy().put(Deadline.PARAMETER, left));
  }

  /** Runs an RPC body: whatever it throws becomes a failed future, never an unanswered call. */
  static <T> Future<T> guard(Supplier<Future<T>> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The client's request id if {@link RequestIds#accept} keeps it, else a fresh one; echoed in the headers. */
  static String requestId(GrpcServerRequest<?, ?> call) {
    MultiMap headers = call.headers();
    String id = RequestIds.accept(headers == null ? null : headers.get(REQUEST_ID_HEADER));
    call.response().headers().set(REQUEST_ID_HEADER, id);
    return id;
  }

  Future<ServerLiveResponse> serverLive(ServerLiveRequest r) {
    return Future.succeededFuture(ServerLiveResponse.newBuilder().setLive(true).build());
  }

  Future<ServerReadyResponse> serverReady(ServerReadyRequest r) {
    return Future.succeededFuture(ServerReadyResponse.newBuilder().setReady(registry.isReady()).build());
  }

  /** Ready or not for a known model (version); NOT_FOUND for an unknown one, as REST's 404. */
  Future<ModelReadyResponse> modelReady(ModelReadyRequest r) {
    boolean ready = models.ready(InferMessages.modelName(r.getName()), InferMessages.version(r.getVersion())).ready();
    return Future.succeededFuture(ModelReadyResponse.newBuilder().setReady(ready).build());
  }

  Future<ServerMetadataResponse> serverMetadata(ServerMetadataRequest r) {
    return Future.succeededFuture(ServerMetadataResponse.newBuilder()
        .setName(ServerInfo.GRPC.name())
        .setVersion(ServerInfo.GRPC.version())
        .addAllExtensions(ServerInfo.GRPC.extensions())
        .build());
  }

  Future<ModelMetadataResponse> modelMetadata(ModelMetadataRequest r) {
    ModelQueries.Metadata metadata = models.metadata(InferMessages.modelName(r.getName()),
        InferMessages.version(r.getVersion()));
    ModelStatus s = metadata.served();
    ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder()
        .setName(s.name())
        .addAllVersions(metadata.readyVersions())
        .setPlatform(s.platform());
    s.inputs().forEach(t -> b.addInputs(metadata(t)));
    s.outputs().forEach(t -> b.addOutputs(metadata(t)));
    return Future.succeededFuture(b.build());
  }

  private static TensorMetadata metadata(TensorSpec t) {
    TensorMetadata.Builder m = TensorMetadata.newBuilder().setName(t.name()).setDatatype(t.datatype().name());
    for (long d : t.shape()) {
      m.addShape(d);
    }
    return m.build();
  }

  /** Triton's model configuration, as REST's {@code /v2/models/{m}/config} serves it. */
  Future<ModelConfigResponse> modelConfig(ModelConfigRequest r) {
    return Future.succeededFuture(ModelConfigResponse.newBuilder().setConfig(ModelConfigs.fromJson(
        models.configuration(InferMessages.modelName(r.getName()), InferMessages.version(r.getVersion()))))
        .build());
  }

  /**
   * Triton's statistics, summed over the workers as REST's {@code /v2/models/{m}/stats}; how many workers were asked
   * and answered in time goes in the response metadata ({@code x-maas-workers-asked}, {@code -answered}).
   */
  Future<ModelStatisticsResponse> modelStatistics(ModelStatisticsRequest r, MultiMap responseHeaders) {
    String version = InferMessages.version(r.getVersion());
    if (r.getName().isEmpty() && !version.isEmpty()) {
      throw MaasException.invalid("a version (%s) needs a model name", version);
    }
    return statistics.collect(r.getName(), version).map(snapshot -> {
      responseHeaders.set(WORKERS_ASKED_HEADER, Integer.toString(snapshot.asked()));
      responseHeaders.set(WORKERS_ANSWERED_HEADER, Integer.toString(snapshot.answered()));
      return StatisticsMessages.of(snapshot);
    });
  }

  /** Decodes, checks the model first (an unknown model is NOT_FOUND whatever the inputs), runs, encodes. */
  Future<ModelInferResponse> modelInfer(ModelInferRequest r, String requestId) {
    return modelInfer(r, requestId, null, Caller.ANONYMOUS, Promise.<Void>promise().future(), 0);
  }

  /**
   * The same, naming the serving worker in the {@code x-maas-worker} response header when headers are given, within
   * the call's deadline ({@code deadlineNanos}, 0: none), cancelled when {@code clientGone} completes first.
   */
  private Future<ModelInferResponse> modelInfer(ModelInferRequest r, String requestId, MultiMap responseHeaders,
      Caller caller, Future<Void> clientGone, long deadlineNanos) {
    return guard(() -> {
      pipeline.checkKnown(InferMessages.modelName(r.getModelName()), InferMessages.version(r.getModelVersion()));
      InferenceRequest decoded = InferMessages.decode(r, limits.maxTensorElements());
      return pipeline.inferServed(withinDeadline(decoded, deadlineNanos, maxTimeoutMillis), requestId, caller,
          clientGone);
    }).map(served -> {
      if (responseHeaders != null) {
        responseHeaders.set(WORKER_HEADER, served.workerId());
      }
      return InferMessages.encode(served.response(), r.getRawInputContentsCount() > 0);
    });
  }
}
