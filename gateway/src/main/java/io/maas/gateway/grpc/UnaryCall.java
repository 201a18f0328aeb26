package io.maas.gateway.grpc;

import io.maas.error.MaasException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.core.Promise;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A call that takes one request message, answered exactly once whatever its client sends: the one message is
 * answered; a second fails the call; none at all (an empty body, a cut-short frame) fails it when the client's side
 * ends, instead of leaving it unanswered; a malformed frame fails it; a client that went away is answered nothing
 * (its deadline timer is cancelled), nor is a call whose deadline passed (Vert.x answered it DEADLINE_EXCEEDED); in
 * both cases what the call runs is told ({@link #answer(GrpcServerRequest, BiFunction)}) and cancelled.
 * Unary RPCs are answered with one response ({@link #answer}); a server-streaming call's one request is watched the
 * same way ({@link #watch}).
 */
final class UnaryCall {
  private final GrpcServerRequest<?, ?> call;
  /** Completes when the client goes away, or the call's deadline passes, before it is answered. */
  private final Promise<Void> gone = Promise.promise();
  private int messages;
  private boolean answered;
  private Runnable leaving = () -> { };

  private UnaryCall(GrpcServerRequest<?, ?> call) {
    this.call = call;
  }

  /**
   * Answers a unary call with what {@code rpc} makes of its message; whatever it throws or fails with is the call's
   * status (see {@link GrpcErrors}).
   */
  static <Resp> void answer(GrpcServerRequest<?, Resp> call, Function<GrpcMessage, Future<Resp>> rpc) {
    answer(call, (message, gone) -> rpc.apply(message));
  }

  /**
   * The same for an RPC that can be cancelled: {@code rpc} also gets a future that completes when the client goes
   * away (a reset stream, a closed connection) or the call's {@code grpc-timeout} passes before it is answered.
   */
  static <Resp> void answer(GrpcServerRequest<?, Resp> call, BiFunction<GrpcMessage, Future<Void>, Future<Resp>> rpc) {
    UnaryCall once = new UnaryCall(call);
    once.listen(message -> InferenceGrpcService.guard(() -> rpc.apply(message, once.gone.future()))
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
    GrpcErrors.messageOnDeadline(call);
    if (call.deadline() != null) {
      call.deadline().onSuccess(v -> { // Vert.x answered DEADLINE_EXCEEDED: what runs for the call is cancelled
        answered = true;
        gone.tryComplete();
      });
    }
    call.errorHandler(e -> clientLeft()); // a reset stream
    call.response().exceptionHandler(e -> clientLeft()); // a closed connection
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
    if (e instanceof MaasException refused) { // the edge's own refusal: over the body budget, stalled
      fail(refused);
    } else if (e instanceof StreamResetException || e instanceof HttpClosedException) {
      clientLeft();
    } else {
      fail(MaasException.invalid("malformed gRPC request: %s", e.getMessage()));
    }
  }

  /** Runs when the client goes away (a reset stream, a closed connection), once the call knows it. */
  void onClientGone(Runnable r) {
    this.leaving = r;
  }

  /**
   * The client went away: nothing is written to the call after (Vert.x 5.0.7 throws, or logs a NullPointerException
   * at ERROR, writing to a closed stream), its deadline included.
   */
  private void clientLeft() {
    answered = true;
    cancelDeadline(call);
    gone.tryComplete();
    leaving.run();
  }

  /** Cancels a call's deadline timer: at expiry Vert.x writes DEADLINE_EXCEEDED to the stream, gone or not. */
  static void cancelDeadline(GrpcServerRequest<?, ?> call) {
    if (call.deadline() != null) {
      call.deadline().cancel();
    }
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
