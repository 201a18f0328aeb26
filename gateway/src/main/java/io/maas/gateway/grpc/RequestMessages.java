package io.maas.gateway.grpc;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Decodes request messages for the edge itself. Vert.x's own {@code handler(...)} answers a message that
 * does not parse by resetting the stream (the client sees CANCELLED); a malformed message is the client's
 * mistake and must be INVALID_ARGUMENT, and inside a stream an error response that leaves the stream open.
 */
final class RequestMessages {
  private RequestMessages() {}

  /**
   * The decoded message.
   *
   * @param maxBytes the most bytes a gzip-compressed message may inflate to
   * @throws MaasException INVALID_ARGUMENT for a malformed message, PAYLOAD_TOO_LARGE past maxBytes
   */
  static <T> T decode(GrpcMessageDecoder<T> decoder, GrpcMessage message, long maxBytes) {
    GrpcMessage plain = switch (message.encoding()) {
      case "identity" -> message;
      case "gzip" -> GrpcMessage.message("identity", message.format(), gunzip(message.payload(), maxBytes));
      default -> throw MaasException.invalid("unsupported message encoding '%s'", message.encoding());
    };
    try {
      return decoder.decode(plain);
    } catch (CodecException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw MaasException.invalid("malformed protobuf message: %s", cause.getMessage());
    }
  }

  private static Buffer gunzip(Buffer compressed, long maxBytes) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed.getBytes()))) {
      byte[] plain = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
      if (plain.length > maxBytes) {
        throw new MaasException(ErrorCode.PAYLOAD_TOO_LARGE,
            "a message inflating to over " + maxBytes + " bytes is over the server's limit (gateway.max_body_bytes)");
      }
      return Buffer.buffer(plain);
    } catch (IOException e) {
      throw MaasException.invalid("malformed gzip message: %s", e.getMessage());
    }
  }
}
