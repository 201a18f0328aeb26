package io.maas.gateway.grpc;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.StatusException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC edge's one error mapping: every failure leaves as a {@link StatusException} whose code comes
 * from {@link ErrorCode#grpcStatus()}, so that nothing a client sends reaches it as UNKNOWN.
 */
final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  /** Fails a call with its maas status; metadata of the failure (rate-limit state...) goes in the trailers. */
  static void fail(GrpcServerRequest<?, ?> call, Throwable e) {
    if (e instanceof MaasException m) {
      m.metadata().forEach((k, v) -> call.response().trailers().set(k.toLowerCase(Locale.ROOT), v));
    }
    call.response().fail(toStatus(e));
  }

  static StatusException toStatus(Throwable e) {
    if (e instanceof StatusException s) {
      return s;
    }
    MaasException m = toMaas(e);
    return new StatusException(GrpcStatus.valueOf(m.code().grpcStatus()), fitTrailer(m.getMessage()));
  }

  /** The most characters of a message sent as grpc-message (percent-encoded, at most ~9 bytes each). */
  static final int MAX_MESSAGE_CHARS = 512;

  /**
   * A message short enough for the grpc-message trailer: a longer one (a message that echoes a client's 8 KB
   * model name) would overflow the client's header limit and reach it as a reset stream instead of its status.
   */
  static String fitTrailer(String message) {
    if (message == null || message.length() <= MAX_MESSAGE_CHARS) {
      return message;
    }
    return message.substring(0, MAX_MESSAGE_CHARS) + "... (" + message.length() + " characters)";
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
