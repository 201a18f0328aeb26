package io.maas.gateway.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One HTTP/2 request on a cleartext connection of its own (prior knowledge), written frame by frame: headers a
 * library would refuse to send (a metadata block over the server's advertised limit, odd values) go out as they
 * are, and the body is the exact bytes given, so gRPC framing can be anything. HPACK is Netty's.
 */
final class RawHttp2 {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int WINDOW_UPDATE = 8;
  private static final int CONTINUATION = 9;
  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int MAX_FRAME = 16_384;
  private static final int STREAM = 1;

  private RawHttp2() {}

  /**
   * What came back on the stream.
   *
   * @param status the response's :status, or 0 if no response headers came
   * @param grpcStatus grpc-status from the headers or the trailers, or null
   * @param resetCode the RST_STREAM error code, or -1
   * @param goAwayCode the GOAWAY error code when the connection went away before the stream ended, or -1
   * @param closed whether the connection closed before the stream ended
   * @param hung whether the deadline passed first
   */
  record Exchange(int status, String grpcStatus, String grpcMessage, int messages, long resetCode, long goAwayCode,
      boolean closed, boolean hung) {
    String describe() {
      return hung ? "no answer within the deadline" : resetCode >= 0 ? "stream reset (code " + resetCode + ")"
          : goAwayCode >= 0 ? "GOAWAY (code " + goAwayCode + ")" : closed && status == 0 ? "connection closed unanswered"
          : "HTTP " + status + " grpc-status " + grpcStatus + " '" + grpcMessage + "' (" + messages + " messages)";
    }
  }

  /**
   * Sends one request and reads its answer.
   *
   * @param headers pseudo-headers and headers, in order
   * @param body the DATA bytes; null: the HEADERS frame ends the stream
   * @param firstMessageIsEnough for a call that never ends by itself (a health Watch): its first message answers it
   */
  static Exchange call(int port, List<Map.Entry<String, String>> headers, byte[] body, boolean firstMessageIsEnough,
      long deadlineMs) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(100);
      OutputStream out = socket.getOutputStream();
      out.write(PREFACE);
      // windows as large as HTTP/2 allows: the client reads all it is sent and never has to grant more
      frame(out, SETTINGS, 0, 0, new byte[] {0, 4, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      int more = Integer.MAX_VALUE - 65_535;
      frame(out, WINDOW_UPDATE, 0, 0, new byte[] {(byte) (more >>> 24), (byte) (more >>> 16), (byte) (more >>> 8),
          (byte) more});
      try {
        writeHeaders(out, headers, body == null);
        if (body != null) {
          int at = 0;
          do {
            int n = Math.min(MAX_FRAME, body.length - at);
            frame(out, DATA, at + n == body.length ? END_STREAM : 0, STREAM, java.util.Arrays.copyOfRange(body, at, at + n));
            at += n;
          } while (at < body.length);
        }
        out.flush();
      } catch (IOException serverWentAway) {
        // read what it said
      }
      return read(socket, new DataInputStream(socket.getInputStream()), out, firstMessageIsEnough,
          System.currentTimeMillis() + deadlineMs);
    }
  }

  private static void writeHeaders(OutputStream out, List<Map.Entry<String, String>> headers, boolean endStream)
      throws IOException {
    Http2Headers h = new DefaultHttp2Headers(false);
    headers.forEach(e -> h.add(e.getKey(), e.getValue()));
    // sends what it is given, whatever the server's advertised header list size
    DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(STREAM, h, block);
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    }
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    block.release();
    int at = 0;
    boolean first = true;
    do {
      int n = Math.min(MAX_FRAME, bytes.length - at);
      boolean last = at + n == bytes.length;
      int flags = (last ? END_HEADERS : 0) | (first && endStream ? END_STREAM : 0);
      frame(out, first ? HEADERS : CONTINUATION, flags, STREAM, java.util.Arrays.copyOfRange(bytes, at, at + n));
      at += n;
      first = false;
    } while (at < bytes.length);
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
        (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
    out.write(head);
    out.write(payload);
  }

  private static Exchange read(Socket socket, DataInputStream in, OutputStream out, boolean firstMessageIsEnough,
      long deadline) throws IOException {
    DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 0xFFFFFFFFL);
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    boolean blockEndsStream = false;
    int status = 0;
    String grpcStatus = null;
    String grpcMessage = null;
    while (System.currentTimeMillis() < deadline) {
      byte[] head = new byte[9];
      try {
        in.readFully(head);
      } catch (SocketTimeoutException quiet) {
        continue; // a frame header is 9 bytes: a timeout in its middle is unlikely, and the deadline bounds it
      } catch (EOFException | java.net.SocketException closed) {
        return new Exchange(status, grpcStatus, grpcMessage, messages(data), -1, -1, true, false);
      }
      int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
      int type = head[3] & 0xff;
      int flags = head[4] & 0xff;
      int stream = (head[5] & 0x7f) << 24 | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | head[8] & 0xff;
      byte[] payload = new byte[length];
      try {
        readPayload(in, payload, deadline);
      } catch (EOFException | java.net.SocketException closed) {
        return new Exchange(status, grpcStatus, grpcMessage, messages(data), -1, -1, true, false);
      }
      if (type == SETTINGS && (flags & ACK) == 0) {
        reply(out, SETTINGS, new byte[0]);
      } else if (type == PING && (flags & ACK) == 0) {
        reply(out, PING, payload);
      } else if (type == GOAWAY) {
        long code = (payload[4] & 0xffL) << 24 | (payload[5] & 0xff) << 16 | (payload[6] & 0xff) << 8 | payload[7] & 0xff;
        return new Exchange(status, grpcStatus, grpcMessage, messages(data), -1, code, true, false);
      } else if (stream == STREAM && type == RST_STREAM) {
        long code = (payload[0] & 0xffL) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8 | payload[3] & 0xff;
        return new Exchange(status, grpcStatus, grpcMessage, messages(data), code, -1, false, false);
      } else if (stream == STREAM && (type == HEADERS || type == CONTINUATION)) {
        if (type == HEADERS) {
          blockEndsStream = (flags & END_STREAM) != 0;
          payload = withoutPaddingAndPriority(payload, flags);
        }
        block.write(payload);
        if ((flags & END_HEADERS) != 0) {
          Http2Headers h = decode(decoder, block.toByteArray());
          block.reset();
          if (h.status() != null) {
            status = Integer.parseInt(h.status().toString());
          }
          if (h.get("grpc-status") != null) {
            grpcStatus = h.get("grpc-status").toString();
            grpcMessage = h.get("grpc-message") == null ? "" : java.net.URLDecoder.decode(
                h.get("grpc-message").toString().replace("+", "%2B"), StandardCharsets.UTF_8);
          }
          if (blockEndsStream) {
            return new Exchange(status, grpcStatus, grpcMessage, messages(data), -1, -1, false, false);
          }
        }
      } else if (stream == STREAM && type == DATA) {
        data.write(withoutPaddingAndPriority(payload, flags & 0x8));
        if ((flags & END_STREAM) != 0 || firstMessageIsEnough && messages(data) > 0) {
          return new Exchange(status, grpcStatus, grpcMessage, messages(data), -1, -1, false, false);
        }
      }
    }
    return new Exchange(status, grpcStatus, grpcMessage, messages(data), -1, -1, false, true);
  }

  /** Acknowledges a SETTINGS or PING frame; a server that went away meanwhile is read to its end all the same. */
  private static void reply(OutputStream out, int type, byte[] payload) {
    try {
      frame(out, type, ACK, 0, payload);
    } catch (IOException serverWentAway) {
      // what it sent before is still to be read
    }
  }

  private static void readPayload(DataInputStream in, byte[] payload, long deadline) throws IOException {
    int at = 0;
    while (at < payload.length) {
      try {
        int n = in.read(payload, at, payload.length - at);
        if (n < 0) {
          throw new EOFException();
        }
        at += n;
      } catch (SocketTimeoutException quiet) {
        if (System.currentTimeMillis() > deadline) {
          throw quiet;
        }
      }
    }
  }

  /** A HEADERS or DATA payload without its padding (PADDED, 0x8) and priority (PRIORITY, 0x20, HEADERS only). */
  private static byte[] withoutPaddingAndPriority(byte[] payload, int flags) {
    int start = 0;
    int end = payload.length;
    if ((flags & 0x8) != 0) {
      end -= payload[0] & 0xff;
      start = 1;
    }
    if ((flags & 0x20) != 0) {
      start += 5;
    }
    return java.util.Arrays.copyOfRange(payload, start, Math.max(start, end));
  }

  private static Http2Headers decode(DefaultHttp2HeadersDecoder decoder, byte[] block) throws IOException {
    ByteBuf b = Unpooled.wrappedBuffer(block);
    try {
      return decoder.decodeHeaders(STREAM, b);
    } catch (Http2Exception e) {
      throw new IOException("the server's header block does not decode", e);
    } finally {
      b.release();
    }
  }

  /** How many complete gRPC messages the data holds. */
  private static int messages(ByteArrayOutputStream data) {
    byte[] d = data.toByteArray();
    int count = 0;
    int at = 0;
    while (at + 5 <= d.length) {
      long length = (d[at + 1] & 0xffL) << 24 | (d[at + 2] & 0xff) << 16 | (d[at + 3] & 0xff) << 8 | d[at + 4] & 0xff;
      if (at + 5 + length > d.length) {
        break;
      }
      count++;
      at += 5 + (int) length;
    }
    return count;
  }
}
