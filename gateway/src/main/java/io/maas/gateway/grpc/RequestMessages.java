package io.maas.gateway.grpc;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
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

  /** The message encodings the edge reads (Vert.x answers grpc-accept-encoding: gzip). */
  static final String ACCEPTED_ENCODINGS = "gzip, identity";

  /**
   * The grpc-encoding a call is given when it declares none, or identity: no client means it. Vert.x's deframer
   * throws on a message flagged compressed when the call declares no encoding, which left the call unanswered and
   * logged an ERROR; with this one declared, it hands such a message on tagged with it, and {@link #decode} fails the
   * call as gRPC's compression spec says. (A message not flagged compressed is tagged identity whatever the call
   * declares.)
   */
  static final String UNDECLARED_ENCODING = "maas-undeclared";

  /** Declares {@link #UNDECLARED_ENCODING} on an HTTP/2 call that names no grpc-encoding, or identity. */
  static void declareEncoding(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      String declared = request.getHeader(GRPC_ENCODING);
      if (declared == null || declared.equals("identity")) {
        request.headers().set(GRPC_ENCODING, UNDECLARED_ENCODING);
      }
    }
  }

  private static final String GRPC_ENCODING = "grpc-encoding";

  /**
   * The decoded message.
   *
   * @param maxBytes the most bytes a gzip-compressed message may inflate to
   * @throws MaasException INVALID_ARGUMENT for a malformed message, PAYLOAD_TOO_LARGE past maxBytes,
   *     COMPRESSED_FLAG_WITHOUT_ENCODING or UNSUPPORTED_ENCODING for a compressed one the edge cannot read
   */
  static <T> T decode(GrpcMessageDecoder<T> decoder, GrpcMessage message, long maxBytes) {
    GrpcMessage plain = switch (message.encoding()) {
      case "identity" -> message;
      case "gzip" -> GrpcMessage.message("identity", message.format(), gunzip(message.payload(), maxBytes));
      case UNDECLARED_ENCODING -> throw new MaasException(ErrorCode.COMPRESSED_FLAG_WITHOUT_ENCODING,
          "invalid Compressed-Flag: the message is flagged compressed but the call's grpc-encoding is "
              + "absent or identity; send grpc-encoding: gzip with compressed messages");
      default -> throw new MaasException(ErrorCode.UNSUPPORTED_ENCODING, "unsupported grpc-encoding '"
          + message.encoding() + "': this server accepts " + ACCEPTED_ENCODINGS);
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
