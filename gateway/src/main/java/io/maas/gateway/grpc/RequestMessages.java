package io.maas.gateway.grpc;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.WireFormat;
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
   * A protobuf decoder whose bytes fields (raw_input_contents) point into the message's own bytes
   * instead of being copied out of them: a raw input then reaches its tensor with one copy, not three
   * (Vert.x's decoder copies the payload to a byte[], protobuf copies each field, the tensor copies it).
   * The payload is a heap buffer of its own that nothing writes to after it arrived.
   */
  static <T extends MessageLite> GrpcMessageDecoder<T> aliasing(Parser<T> parser, GrpcMessageDecoder<T> otherFormats) {
    return new GrpcMessageDecoder<>() {
      @Override
      public T decode(GrpcMessage message) throws CodecException {
        if (message.format() != WireFormat.PROTOBUF) {
          return otherFormats.decode(message);
        }
        ByteBuf b = ((BufferInternal) message.payload()).getByteBuf();
        CodedInputStream in = b.hasArray()
            ? CodedInputStream.newInstance(b.array(), b.arrayOffset() + b.readerIndex(), b.readableBytes())
            : CodedInputStream.newInstance(message.payload().getBytes());
        in.enableAliasing(true);
        try {
          return parser.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
          throw new CodecException(e);
        }
      }

      @Override
      public boolean accepts(WireFormat format) {
        return otherFormats.accepts(format);
      }
    };
  }

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
