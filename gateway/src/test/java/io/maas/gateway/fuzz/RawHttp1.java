package io.maas.gateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One HTTP/1 exchange over a socket of its own, for requests no HTTP library sends: the bytes go out as they are,
 * and every response that comes back is read. A server that says nothing for a while after a request is given the
 * end of the client's side (a request cut short can be answered no other way); one that then neither answers nor
 * closes within the deadline hangs.
 */
final class RawHttp1 {
  /** How long a silent server is waited for before the client ends its side. */
  static final long QUIET_MS = 1_000;

  private RawHttp1() {}

  /** A response: its status and body (headers are not needed). */
  record Response(int status, String body) {}

  /**
   * What came back.
   *
   * @param responses the final (non-1xx) responses, in order
   * @param closedBeforeClientEnded whether the server closed the connection before the client ended its side
   * @param hung whether the deadline passed with the connection still open and nothing (more) said
   */
  record Exchange(List<Response> responses, boolean closedBeforeClientEnded, boolean hung, String raw) {
    boolean silent() {
      return responses.isEmpty() && closedBeforeClientEnded;
    }
  }

  /** @param head whether the request is a HEAD, whose answers carry no body whatever their Content-Length */
  static Exchange exchange(int port, byte[] request, long deadlineMs, boolean head) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean clientEnded = false;
    boolean closed = false;
    boolean closedFirst = false;
    long deadline = System.currentTimeMillis() + deadlineMs;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(100);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException serverClosedEarly) { // it answered (431, 413...) and closed while the request went out
        clientEnded = true;
      }
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[16_384];
      long lastData = System.currentTimeMillis();
      while (System.currentTimeMillis() < deadline) {
        int n;
        try {
          n = in.read(buffer);
        } catch (SocketTimeoutException quiet) {
          long now = System.currentTimeMillis();
          if (!clientEnded && now - lastData > QUIET_MS) {
            if (!parse(received.toByteArray(), head).isEmpty()) {
              break; // answered; the connection is kept alive
            }
            socket.shutdownOutput();
            clientEnded = true;
            lastData = now;
          }
          continue;
        } catch (IOException reset) {
          n = -1;
        }
        if (n < 0) {
          closed = true;
          closedFirst = !clientEnded;
          break;
        }
        received.write(buffer, 0, n);
        lastData = System.currentTimeMillis();
      }
    }
    byte[] bytes = received.toByteArray();
    List<Response> responses = parse(bytes, head);
    boolean hung = !closed && responses.isEmpty();
    return new Exchange(responses, closedFirst, hung,
        new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1));
  }

  /** The complete final responses in the bytes (a response cut short at the end is left out). */
  static List<Response> parse(byte[] bytes, boolean head) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    List<Response> out = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int headEnd = text.indexOf("\r\n\r\n", at);
      if (headEnd < 0 || !text.startsWith("HTTP/", at)) {
        break;
      }
      String[] lines = text.substring(at, headEnd).split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      int status;
      try {
        status = Integer.parseInt(statusLine[1]);
      } catch (RuntimeException e) {
        break;
      }
      long length = -1;
      boolean chunked = false;
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i].toLowerCase(Locale.ROOT);
        if (line.startsWith("content-length:")) {
          length = Long.parseLong(line.substring(15).trim());
        } else if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
          chunked = true;
        }
      }
      int bodyStart = headEnd + 4;
      int next;
      String body;
      if (status / 100 == 1 || status == 204 || status == 304 || head) {
        next = bodyStart;
        body = "";
      } else if (chunked) {
        StringBuilder b = new StringBuilder();
        next = dechunk(text, bodyStart, b);
        if (next < 0) {
          break;
        }
        body = b.toString();
      } else if (length >= 0) {
        if (bodyStart + length > text.length()) {
          break;
        }
        next = (int) (bodyStart + length);
        body = text.substring(bodyStart, next);
      } else {
        next = text.length(); // until the close
        body = text.substring(bodyStart);
      }
      if (status / 100 != 1) {
        out.add(new Response(status, body));
      }
      at = next;
    }
    return out;
  }

  /** Reads a chunked body into {@code body}; the index after it, or -1 if it is not all there. */
  private static int dechunk(String text, int at, StringBuilder body) {
    while (true) {
      int eol = text.indexOf("\r\n", at);
      if (eol < 0) {
        return -1;
      }
      int size;
      try {
        size = Integer.parseInt(text.substring(at, eol).split(";")[0].trim(), 16);
      } catch (NumberFormatException e) {
        return -1;
      }
      if (size == 0) {
        int end = text.indexOf("\r\n\r\n", eol); // after the trailers, if any
        return end < 0 ? -1 : end + 4;
      }
      if (eol + 2 + size + 2 > text.length()) {
        return -1;
      }
      body.append(text, eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
    }
  }
}
