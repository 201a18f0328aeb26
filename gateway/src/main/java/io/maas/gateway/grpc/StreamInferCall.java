package io.maas.gateway.grpc;

import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.maas.gateway.grpc.v2.ModelStreamInferResponse;
import io.maas.error.MaasException;
import io.maas.gateway.tenancy.Caller;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.server.GrpcServerRequest;
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
  private final Infer infer;
  private Caller caller;
  /** Completes when the latest response is written: responses leave in request order. */
  private Future<Void> written = Future.succeededFuture();
  private int inFlight;
  private long sequence;
  /** Whether the stream has ended (its answer was written, it failed, or its deadline passed) or its client left. */
  private boolean over;
  /** Completes when the client goes away or the stream's deadline passes: every request in flight is cancelled. */
  private final Promise<Void> gone = Promise.promise();

  /** Runs one request of the stream, under its own request id, for the stream's caller, until its client is gone. */
  interface Infer {
    Future<ModelInferResponse> apply(ModelInferRequest request, String requestId, Caller caller,
        Future<Void> clientGone);
  }

  StreamInferCall(GrpcServerRequest<ModelInferRequest, ModelStreamInferResponse> call, String requestId,
      Function<GrpcMessage, ModelInferRequest> decoder,
      Infer infer) {
    this.call = call;
    this.requestId = requestId;
    this.decoder = decoder;
    this.infer = infer;
  }

  /**
   * Takes over the call's events at once (Vert.x's own handlers would answer a message over the size limit a second
   * time), and reads its messages once the caller is known; a caller refused fails the stream.
   */
  void start(Future<Caller> caller) {
    call.pause(); // no message is read before the key is checked
    GrpcErrors.messageOnDeadline(call);
    if (call.deadline() != null) {
      call.deadline().onSuccess(v -> { // Vert.x answered DEADLINE_EXCEEDED: the stream is over, its requests cancelled
        over = true;
        gone.tryComplete();
      });
    }
    call.messageHandler(this::onMessage)
        // a message over the size limit: the stream cannot be read on
        .invalidMessageHandler(e -> finish(() -> GrpcErrors.fail(call, e)))
        // the edge's own refusal (over the body budget, stalled) ends the stream with its status; otherwise the
        // client went away: what is in flight completes unread
        .exceptionHandler(e -> {
          if (e instanceof MaasException refused) {
            finish(() -> GrpcErrors.fail(call, refused));
          } else {
            clientLeft();
          }
        })
        .errorHandler(e -> clientLeft()) // the client reset the stream: likewise
        .endHandler(v -> written.onComplete(done -> finish(() -> call.response().end())));
    call.response().exceptionHandler(e -> clientLeft()); // the connection closed
    caller.onSuccess(c -> {
      this.caller = c;
      call.resume();
    }).onFailure(e -> finish(() -> GrpcErrors.fail(call, e)));
  }

  /** Nothing is written after, the deadline's DEADLINE_EXCEEDED included (see {@link UnaryCall}). */
  private void clientLeft() {
    over = true;
    UnaryCall.cancelDeadline(call);
    gone.tryComplete();
  }

  /** Ends the stream, unless it is over already: failed, past its deadline, or gone. */
  private void finish(Runnable last) {
    if (!over) {
      over = true;
      last.run();
    }
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
    Future<ModelStreamInferResponse> answer = InferenceGrpcService.guard(() -> infer.apply(request, id, caller, gone.future()))
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
        .compose(r -> over ? Future.<Void>succeededFuture() : call.response().write(r))
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
