package io.maas.gateway.grpc;

import io.maas.error.MaasException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A call that takes one request message, answered exactly once whatever its client sends: the one message is
 * answered; a second fails the call; none at all (an empty body, a cut-short frame) fails it when the client's side
 * ends, instead of leaving it unanswered; a malformed frame fails it; a client that went away is answered nothing.
 * Unary RPCs are answered with one response ({@link #answer}); a server-streaming call's one request is watched the
 * same way ({@link #watch}).
 */
final class UnaryCall {
  private final GrpcServerRequest<?, ?> call;
  private int messages;
  private boolean answered;

  private UnaryCall(GrpcServerRequest<?, ?> call) {
    this.call = call;
  }

  /**
   * Answers a unary call with what {@code rpc} makes of its message; whatever it throws or fails with is the call's
   * status (see {@link GrpcErrors}).
   */
  static <Resp> void answer(GrpcServerRequest<?, Resp> call, Function<GrpcMessage, Future<Resp>> rpc) {
    UnaryCall once = new UnaryCall(call);
    once.listen(message -> InferenceGrpcService.guard(() -> rpc.apply(message))
        .onSuccess(once::answer)
        .onFailure(once::fail));
  }

  /**
   * Watches a call whose client sends one message (a server-streaming call's request), handing that message to
   * {@code first}, which answers it as it likes, and failing the call for any framing fault, a second message, or
   * whatever {@code first} throws.
   */
  static UnaryCall watch(GrpcServerRequest<?, ?> call, Consumer<GrpcMessage> first) {
    UnaryCall once = new UnaryCall(call);
    once.listen(first);
    return once;
  }

  private void listen(Consumer<GrpcMessage> first) {
    call.invalidMessageHandler(this::fail)
        .exceptionHandler(this::broken)
        .endHandler(v -> ended())
        .messageHandler(message -> {
          if (received()) {
            try {
              first.accept(message);
            } catch (RuntimeException e) { // a message that does not decode
              fail(e);
            }
          }
        });
  }

  /** Whether the message just received is the call's one message (the first). */
  private boolean received() {
    if (++messages == 1) {
      return true;
    }
    fail(MaasException.invalid("the call takes one request message, this one sent %d", messages));
    return false;
  }

  private void ended() {
    if (messages == 0) {
      fail(MaasException.invalid("the call ended without a complete request message"));
    }
  }

  private void broken(Throwable e) {
    if (!(e instanceof StreamResetException || e instanceof HttpClosedException)) {
      fail(MaasException.invalid("malformed gRPC request: %s", e.getMessage()));
    } // else the client went away: nothing left to answer
  }

  /** Whether the call has had its answer (or failure). */
  boolean answered() {
    return answered;
  }

  private <T> void answer(T response) {
    if (!answered) {
      answered = true;
      @SuppressWarnings("unchecked")
      io.vertx.grpc.server.GrpcServerResponse<?, T> r = (io.vertx.grpc.server.GrpcServerResponse<?, T>) call.response();
      r.end(response);
    }
  }

  /** Fails the call with the failure's status, unless it was answered already. */
  void fail(Throwable e) {
    if (!answered) {
      answered = true;
      GrpcErrors.fail(call, e);
    }
  }
}
