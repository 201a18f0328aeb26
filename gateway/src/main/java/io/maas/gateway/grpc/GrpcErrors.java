package io.maas.gateway.grpc;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.grpc.status.GrpcStatusMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.StatusException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC edge's one error mapping: every failure ends its call with the status of {@link ErrorCode#grpcStatus()}
 * (a {@link StatusException} keeps its own), so that nothing a client sends reaches it as UNKNOWN; its message in the
 * {@code grpc-message} trailer encoded as gRPC's spec says ({@link GrpcStatusMessage}).
 */
final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  /**
   * Fails a call with its maas status; its message goes in the trailers spec-encoded, with the failure's metadata
   * (rate-limit state...).
   */
  static void fail(GrpcServerRequest<?, ?> call, Throwable e) {
    StatusException status = toStatus(e);
    if (e instanceof MaasException m) {
      m.metadata().forEach((k, v) -> call.response().trailers().set(k.toLowerCase(Locale.ROOT), v));
    }
    GrpcStatusMessage.end(call.response(), status.status(), status.message());
  }

  /**
   * Gives a call with a {@code grpc-timeout} the message of its DEADLINE_EXCEEDED up front: Vert.x answers it itself
   * when the deadline passes, with no message. The trailer leaves no trace otherwise: Vert.x drops grpc-message from an
   * OK answer, and a failure replaces it with its own.
   */
  static void messageOnDeadline(GrpcServerRequest<?, ?> call) {
    if (call.deadline() != null) {
      GrpcStatusMessage.set(call.response(),
          "the call's deadline (grpc-timeout, " + call.timeout() + " ms) passed before it was answered");
    }
  }

  private static StatusException toStatus(Throwable e) {
    if (e instanceof StatusException s) {
      return s;
    }
    MaasException m = toMaas(e);
    return new StatusException(GrpcStatus.valueOf(m.code().grpcStatus()), m.getMessage());
  }

  /**
   * The maas error a failure stands for; a message the server could not read is the client's fault.
   * INTERNAL failures (bugs) are logged at ERROR with their stack trace; the others (a client's mistake, an
   * overload) in one line at DEBUG.
   */
  static MaasException toMaas(Throwable e) {
    MaasException m = classify(e);
    if (m.code() == ErrorCode.INTERNAL) {
      LOG.error("gRPC request failed", m);
    } else {
      LOG.debug("gRPC request failed: {} {}", m.code(), m.getMessage());
    }
    return m;
  }

  private static MaasException classify(Throwable e) {
    if (e instanceof MaasException m) {
      return m;
    }
    if (e instanceof MessageSizeOverflowException o) {
      return new MaasException(ErrorCode.PAYLOAD_TOO_LARGE,
          "a message of " + o.messageSize() + " bytes is over the server's limit (gateway.max_body_bytes)");
    }
    if (e instanceof InvalidMessageException) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return MaasException.invalid("malformed message: %s", cause.getMessage());
    }
    return new MaasException(ErrorCode.INTERNAL, "unexpected failure: " + e, e);
  }
}
