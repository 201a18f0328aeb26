package io.maas.gateway.grpc;

import com.google.protobuf.Descriptors;
import io.maas.error.MaasException;
import io.maas.gateway.http.V2Routes;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.routing.ModelView;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpcService;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.maas.gateway.grpc.v2.ModelMetadataRequest;
import io.maas.gateway.grpc.v2.ModelMetadataResponse;
import io.maas.gateway.grpc.v2.ModelMetadataResponse.TensorMetadata;
import io.maas.gateway.grpc.v2.ModelReadyRequest;
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
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.tenancy.Caller;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code inference.GRPCInferenceService}, the KServe V2 gRPC API: metadata answered from the worker
 * registry, inference through the same {@link InferencePipeline} as REST. Each call takes its request id
 * from the {@code x-request-id} metadata (or makes one) and returns it in the response headers.
 */
public final class InferenceGrpcService implements Service {
  /** The extensions the gRPC edge implements (Triton's model configuration RPC is not among them). */
  static final List<String> EXTENSIONS = List.of("parameters");
  static final String REQUEST_ID_HEADER = "x-request-id";
  /** Response header naming the worker that served a ModelInfer call. */
  static final String WORKER_HEADER = "x-maas-worker";

  private final WorkerRegistry registry;
  private final InferencePipeline pipeline;
  private final long maxTensorElements;
  private final long maxMessageBytes;
  private final Admission admission;

  public InferenceGrpcService(WorkerRegistry registry, InferencePipeline pipeline, long maxTensorElements,
      long maxMessageBytes) {
    this(registry, pipeline, maxTensorElements, maxMessageBytes, null);
  }

  /** @param admission the API-key check (metadata {@code authorization: Bearer <key>} or {@code x-api-key}); null: off */
  public InferenceGrpcService(WorkerRegistry registry, InferencePipeline pipeline, long maxTensorElements,
      long maxMessageBytes, Admission admission) {
    this.admission = admission;
    this.registry = registry;
    this.pipeline = pipeline;
    this.maxTensorElements = maxTensorElements;
    this.maxMessageBytes = maxMessageBytes;
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
    // the health RPCs stay open; everything else needs a key when keys are on
    unary(server, GRPCInferenceServiceGrpcService.ServerLive, false, (r, id, h, c) -> serverLive(r));
    unary(server, GRPCInferenceServiceGrpcService.ServerReady, false, (r, id, h, c) -> serverReady(r));
    unary(server, GRPCInferenceServiceGrpcService.ModelReady, true, (r, id, h, c) -> modelReady(r));
    unary(server, GRPCInferenceServiceGrpcService.ServerMetadata, true, (r, id, h, c) -> serverMetadata(r));
    unary(server, GRPCInferenceServiceGrpcService.ModelMetadata, true, (r, id, h, c) -> modelMetadata(r));
    unary(server, GRPCInferenceServiceGrpcService.ModelInfer, true, this::modelInfer);
    ServiceMethod<ModelInferRequest, ModelStreamInferResponse> stream = GRPCInferenceServiceGrpcService.ModelStreamInfer;
    server.callHandler(stream, call -> {
      String requestId = requestId(call);
      call.pause(); // no message is read before the key is checked
      authenticate(call).onSuccess(caller -> {
        new StreamInferCall(call, requestId, msg -> RequestMessages.decode(INFER_DECODER, msg, maxMessageBytes),
            (r, id) -> modelInfer(r, id, null, caller)).start();
        call.resume();
      }).onFailure(e -> fail(call, e));
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

  private <Req, Resp> void unary(GrpcServer server, ServiceMethod<Req, Resp> method, boolean needsKey,
      Rpc<Req, Resp> rpc) {
    server.callHandler(method, call -> {
      String requestId = requestId(call);
      Future<Caller> caller = needsKey ? authenticate(call) : Future.succeededFuture(Caller.ANONYMOUS);
      UnaryCall once = new UnaryCall(call);
      call.invalidMessageHandler(e -> once.fail(e))
          .exceptionHandler(once::broken)
          .endHandler(v -> once.ended())
          .messageHandler(msg -> {
            if (once.received()) {
              caller.compose(c -> guard(() -> rpc.apply(RequestMessages.decode(decoderFor(method), msg, maxMessageBytes),
                      requestId, call.response().headers(), c)))
                  .onSuccess(once::answer)
                  .onFailure(once::fail);
            }
          });
    });
  }

  /**
   * A unary call answered exactly once, whatever its client sends: one message is answered; a second fails the
   * call; none at all (an empty body, a cut-short frame) fails it when the client's side ends, instead of
   * leaving it unanswered; a malformed frame fails it; a client that went away is answered nothing.
   */
  private static final class UnaryCall {
    private final GrpcServerRequest<?, ?> call;
    private int messages;
    private boolean answered;

    UnaryCall(GrpcServerRequest<?, ?> call) {
      this.call = call;
    }

    /** Whether the message just received is the call's one message (the first). */
    boolean received() {
      if (++messages == 1) {
        return true;
      }
      fail(MaasException.invalid("a unary call takes one request message, this one sent %d", messages));
      return false;
    }

    void ended() {
      if (messages == 0) {
        fail(MaasException.invalid("the call ended without a complete request message"));
      }
    }

    void broken(Throwable e) {
      if (e instanceof MaasException refused) { // the edge's own refusal: over the body budget, stalled
        fail(refused);
      } else if (!(e instanceof io.vertx.core.http.StreamResetException
          || e instanceof io.vertx.core.http.HttpClosedException)) {
        fail(MaasException.invalid("malformed gRPC request: %s", e.getMessage()));
      } // else the client went away: nothing left to answer
    }

    <T> void answer(T response) {
      if (!answered) {
        answered = true;
        @SuppressWarnings("unchecked")
        io.vertx.grpc.server.GrpcServerResponse<?, T> r = (io.vertx.grpc.server.GrpcServerResponse<?, T>) call.response();
        r.end(response);
      }
    }

    void fail(Throwable e) {
      if (!answered) {
        answered = true;
        InferenceGrpcService.fail(call, e);
      }
    }
  }

  /** Fails a call with its maas status; metadata of the failure (rate-limit state...) goes in the trailers. */
  static void fail(GrpcServerRequest<?, ?> call, Throwable e) {
    if (e instanceof MaasException m) {
      m.metadata().forEach((k, v) -> call.response().trailers().set(k.toLowerCase(Locale.ROOT), v));
    }
    call.response().fail(GrpcErrors.toStatus(e));
  }

  /** The caller of a call: {@link Caller#ANONYMOUS} when keys are off, else the key its metadata carries. */
  private Future<Caller> authenticate(GrpcServerRequest<?, ?> call) {
    if (admission == null) {
      return Future.succeededFuture(Caller.ANONYMOUS);
    }
    MultiMap headers = call.headers();
    String auth = headers == null ? null : headers.get("authorization");
    String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
        ? auth.substring(7) : headers == null ? null : headers.get("x-api-key");
    MultiMap responseHeaders = call.response().headers();
    return admission.authenticate(token).map(key -> new Caller(key, limit -> limit.lowerCaseHeaders(responseHeaders::set)));
  }

  /** Runs an RPC body: whatever it throws becomes a failed future, never an unanswered call. */
  static <T> Future<T> guard(Supplier<Future<T>> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The client's request id when it is a sane one, else a fresh one; echoed in the response headers. */
  static String requestId(GrpcServerRequest<?, ?> call) {
    MultiMap headers = call.headers();
    String id = headers == null ? null : headers.get(REQUEST_ID_HEADER);
    if (id == null || !id.matches("[A-Za-z0-9._:-]{1,128}")) {
      id = UUID.randomUUID().toString();
    }
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
    String model = InferMessages.modelName(r.getName());
    String version = InferMessages.version(r.getVersion());
    ModelView view = registry.model(model).orElseThrow(() -> MaasException.notFound("unknown model '%s'", model));
    if (!version.isEmpty() && !view.knows(version) && !view.statuses().isEmpty()) {
      throw MaasException.notFound("unknown version %s of model '%s'", version, model);
    }
    boolean ready = version.isEmpty() ? !view.readyVersions().isEmpty() : view.ready(version).isPresent();
    return Future.succeededFuture(ModelReadyResponse.newBuilder().setReady(ready).build());
  }

  Future<ServerMetadataResponse> serverMetadata(ServerMetadataRequest r) {
    return Future.succeededFuture(ServerMetadataResponse.newBuilder()
        .setName(V2Routes.SERVER_NAME)
        .setVersion(V2Routes.SERVER_VERSION)
        .addAllExtensions(EXTENSIONS)
        .build());
  }

  Future<ModelMetadataResponse> modelMetadata(ModelMetadataRequest r) {
    ModelStatus s = registry.resolve(InferMessages.modelName(r.getName()), InferMessages.version(r.getVersion()));
    ModelView view = registry.model(s.name()).orElseThrow();
    ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder()
        .setName(s.name())
        .addAllVersions(view.readyVersions())
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

  /** Decodes, checks the model first (an unknown model is NOT_FOUND whatever the inputs), runs, encodes. */
  Future<ModelInferResponse> modelInfer(ModelInferRequest r, String requestId) {
    return modelInfer(r, requestId, null, Caller.ANONYMOUS);
  }

  /** The same, naming the serving worker in the {@code x-maas-worker} response header when headers are given. */
  private Future<ModelInferResponse> modelInfer(ModelInferRequest r, String requestId, MultiMap responseHeaders,
      Caller caller) {
    return guard(() -> {
      registry.resolve(InferMessages.modelName(r.getModelName()), InferMessages.version(r.getModelVersion()));
      return pipeline.inferServed(InferMessages.decode(r, maxTensorElements), requestId, caller);
    }).map(served -> {
      if (responseHeaders != null) {
        responseHeaders.set(WORKER_HEADER, served.workerId());
      }
      return InferMessages.encode(served.response(), r.getRawInputContentsCount() > 0);
    });
  }
}
