package io.maas.gateway.grpc;

import io.maas.error.MaasException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * A unary call answered exactly once, whatever its client sends: one message is answered; a second fails the
 * call; none at all (an empty body, a cut-short frame) fails it when the client's side ends, instead of
 * leaving it unanswered; a malformed frame fails it; a client that went away is answered nothing.
 */
final class UnaryCall<Resp> {
  private final GrpcServerRequest<?, Resp> call;
  private int messages;
  private boolean answered;

  UnaryCall(GrpcServerRequest<?, Resp> call) {
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
    if (!(e instanceof StreamResetException || e instanceof HttpClosedException)) {
      fail(MaasException.invalid("malformed gRPC request: %s", e.getMessage()));
    } // else the client went away: nothing left to answer
  }

  void answer(Resp response) {
    if (!answered) {
      answered = true;
      GrpcServerResponse<?, Resp> r = call.response();
      r.end(response);
    }
  }

  void fail(Throwable e) {
    if (!answered) {
      answered = true;
      GrpcErrors.fail(call, e);
    }
  }
}
