package io.maas.gateway.grpc;

import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.maas.gateway.grpc.v2.ModelStreamInferResponse;
import io.maas.error.MaasException;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One ModelStreamInfer call (Triton's streaming extension): each request gets one response, in request
 * order, carrying either the result or an error message; a bad request does not end the stream. Requests
 * run concurrently up to {@link #MAX_IN_FLIGHT}; beyond that the stream stops reading until answers leave.
 */
final class StreamInferCall {
  static final int MAX_IN_FLIGHT = 16;

  private final GrpcServerRequest<ModelInferRequest, ModelStreamInferResponse> call;
  private final String requestId;
  private final Function<GrpcMessage, ModelInferRequest> decoder;
  private final BiFunction<ModelInferRequest, String, Future<ModelInferResponse>> infer;
  /** Completes when the latest response is written: responses leave in request order. */
  private Future<Void> written = Future.succeededFuture();
  private int inFlight;
  private long sequence;
  /** Ended with the edge's refusal: nothing more is written. */
  private boolean failed;

  StreamInferCall(GrpcServerRequest<ModelInferRequest, ModelStreamInferResponse> call, String requestId,
      Function<GrpcMessage, ModelInferRequest> decoder,
      BiFunction<ModelInferRequest, String, Future<ModelInferResponse>> infer) {
    this.call = call;
    this.requestId = requestId;
    this.decoder = decoder;
    this.infer = infer;
  }

  void start() {
    call.messageHandler(this::onMessage)
        // a message over the size limit: the stream cannot be read on
        .invalidMessageHandler(e -> call.response().fail(GrpcErrors.toStatus(e)))
        // the edge's own refusal (over the body budget, stalled) ends the stream with its status; otherwise the
        // client went away: what is in flight completes unread
        .exceptionHandler(e -> {
          if (e instanceof MaasException refused && !failed) {
            failed = true;
            InferenceGrpcService.fail(call, refused);
          }
        })
        .endHandler(v -> written.onComplete(done -> {
          if (!failed) {
            call.response().end();
          }
        }));
  }

  /** A message that does not parse is answered in order with its error, and the stream reads on. */
  private void onMessage(GrpcMessage message) {
    ModelInferRequest request;
    try {
      request = decoder.apply(message);
    } catch (MaasException e) {
      queue(Future.succeededFuture(ModelStreamInferResponse.newBuilder().setErrorMessage(e.getMessage()).build()));
      return;
    }
    onRequest(request);
  }

  private void onRequest(ModelInferRequest request) {
    // every request of the stream gets its own id, derived from the call's
    String id = requestId + "/" + sequence++;
    Future<ModelStreamInferResponse> answer = InferenceGrpcService.guard(() -> infer.apply(request, id))
        .map(r -> ModelStreamInferResponse.newBuilder().setInferResponse(r).build())
        .otherwise(e -> error(request, e));
    queue(answer);
  }

  private void queue(Future<ModelStreamInferResponse> answer) {
    if (++inFlight >= MAX_IN_FLIGHT) {
      call.pause();
    }
    written = written
        .compose(v -> answer)
        .compose(r -> failed ? Future.<Void>succeededFuture() : call.response().write(r))
        .andThen(done -> {
          if (inFlight-- == MAX_IN_FLIGHT) {
            call.resume();
          }
        });
  }

  private static ModelStreamInferResponse error(ModelInferRequest request, Throwable e) {
    return ModelStreamInferResponse.newBuilder()
        .setErrorMessage(GrpcErrors.toMaas(e).getMessage())
        .setInferResponse(ModelInferResponse.newBuilder()
            .setModelName(request.getModelName())
            .setModelVersion(request.getModelVersion())
            .setId(request.getId()))
        .build();
  }
}
