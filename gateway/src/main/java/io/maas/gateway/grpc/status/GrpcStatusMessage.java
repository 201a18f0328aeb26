package io.maas.gateway.grpc.status;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * The {@code grpc-message} trailer as gRPC's HTTP/2 protocol spells it ("Status-Message → Percent-Encoded"): the
 * message's UTF-8 bytes, each byte outside 0x20–0x7E and {@code %} itself written {@code %XX} (upper-case hex), every
 * other byte as it is. Vert.x 5.0.7 writes it with {@code URLEncoder} (space, ':', ',', '[', '\'' all escaped):
 * grpc-java decodes that, but grpc-js ({@code decodeURI}) leaves {@code %3A} and {@code %2C} in the message. So the
 * edge never gives Vert.x a status message: it puts its own, encoded, in the call's trailers and ends the call with the
 * status alone. Vert.x sends those trailers after the messages, or in the headers of a trailers-only answer, and
 * drops grpc-message from an OK one.
 *
 * <p>It sits in a package of its own, below both the edge's services and {@code reflection}, which all end calls
 * with it.
 */
public final class GrpcStatusMessage {
  /** The trailer's name. */
  public static final String TRAILER = "grpc-message";
  /**
   * The most bytes a message takes in the trailer once encoded: a longer one (a message that echoes a client's 8 KB
   * model name) is cut, so that the trailer stays well within a client's header limit (grpc-java's default: 8 KB)
   * and reaches it as its status, not as a reset stream.
   */
  static final int MAX_ENCODED_BYTES = 1024;
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private GrpcStatusMessage() {}

  /** The message percent-encoded as the spec says; "" for none. */
  public static String encode(String message) {
    if (message == null) {
      return "";
    }
    byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
    byte[] out = null;
    int n = 0;
    for (int i = 0; i < utf8.length; i++) {
      int b = utf8[i] & 0xFF;
      boolean plain = b >= 0x20 && b <= 0x7E && b != '%';
      if (plain && out == null) {
        continue; // as it is so far: nothing copied yet
      }
      if (out == null) {
        out = new byte[utf8.length * 3];
        System.arraycopy(utf8, 0, out, 0, i);
        n = i;
      }
      if (plain) {
        out[n++] = (byte) b;
      } else {
        out[n++] = '%';
        out[n++] = HEX[b >> 4];
        out[n++] = HEX[b & 0xF];
      }
    }
    return out == null ? message : new String(out, 0, n, StandardCharsets.US_ASCII);
  }

  /**
   * A message short enough for the trailer: at most {@link #MAX_ENCODED_BYTES} once encoded, else cut (at a
   * character) and told how long it was.
   */
  static String fit(String message) {
    if (message == null || encodedLength(message) <= MAX_ENCODED_BYTES) {
      return message;
    }
    String suffix = "... (" + message.length() + " characters)";
    int budget = MAX_ENCODED_BYTES - suffix.length();
    int used = 0;
    int end = 0;
    while (end < message.length()) {
      int c = message.codePointAt(end);
      int cost = encodedLength(c);
      if (used + cost > budget) {
        break;
      }
      used += cost;
      end += Character.charCount(c);
    }
    return message.substring(0, end) + suffix;
  }

  private static int encodedLength(String s) {
    return s.codePoints().map(GrpcStatusMessage::encodedLength).sum();
  }

  /** What a code point takes encoded: 1 byte, or "%XX" per byte of its UTF-8 (a lone surrogate: at most that). */
  private static int encodedLength(int c) {
    if (c >= 0x20 && c <= 0x7E && c != '%') {
      return 1;
    }
    return 3 * (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);
  }

  /** Puts the (fitted, encoded) message in the call's trailers, where Vert.x leaves it as it is. */
  public static void set(GrpcServerResponse<?, ?> response, String message) {
    String fitted = fit(message);
    if (fitted == null || fitted.isEmpty()) {
      response.trailers().remove(TRAILER);
    } else {
      response.trailers().set(TRAILER, encode(fitted));
    }
  }

  /** Ends a call with a status and a message, the message encoded as the spec says (never Vert.x's status message). */
  public static void end(GrpcServerResponse<?, ?> response, GrpcStatus status, String message) {
    set(response, message);
    response.status(status).end();
  }
}
