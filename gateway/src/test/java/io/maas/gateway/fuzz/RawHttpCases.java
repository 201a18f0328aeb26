package io.maas.gateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * HTTP/1 requests malformed at the protocol level, to any of the three ports: versions no server speaks, broken
 * request lines and header lines, bare LFs, Content-Length and Transfer-Encoding that contradict each other or the
 * body, malformed chunks, Expect, pipelined requests, and bytes flipped or cut anywhere in the head.
 */
final class RawHttpCases {
  private RawHttpCases() {}

  static FuzzCase next(Mutations m) {
    int which = m.random.nextInt(10);
    ToIntFunction<Target> port = which < 7 ? Target::restPort : which < 9 ? Target::grpcPort : Target::adminPort;
    String method = "POST";
    String target = "/v2/models/simple/infer";
    String version = "HTTP/1.1";
    byte[] body = RestCases.v2Body(m, Models.named("simple")).encode().getBytes(StandardCharsets.UTF_8);
    if (m.chance(0.3)) {
      method = "GET";
      target = m.pick("/v2/health/live", "/metrics", "/v2/models/simple");
      body = new byte[0];
    }
    List<String[]> headers = HttpCase.headers(body, "Content-Type", "application/json",
        "Authorization", "Bearer " + RestCases.KEY);
    String lineEnd = "\r\n";
    byte[] framedBody = body;
    String what;
    switch (m.random.nextInt(14)) {
      case 0 -> {
        what = "version";
        version = m.pick("HTTP/9.9", "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1", "HTTP/ 1.1", "HTTP/1.1 ", "HTTP/01.1",
            "HTTP/1.10", "HTTPS/1.1", "");
      }
      case 1 -> {
        what = "method";
        method = m.pick("", "G ET", "GET\u0000", "\u00e9", "x".repeat(5_000), "CONNECT", "PRI");
      }
      case 2 -> {
        what = "target";
        target = m.pick("*", "http://evil/v2/health/live", "/v2 health", "/\u0001", "", "v2/health/live",
            "/" + "a".repeat(m.between(4_000, 9_000)), "/v2/models/%/infer", "/?" + "q=%%&".repeat(50));
      }
      case 3 -> {
        what = "header line";
        headers.add(1, m.pick(new String[] {"NoColon", null}, new String[] {"Bad Name", "x"},
            new String[] {"X", "a\rb"}, new String[] {"X", "a\u0000b"}, new String[] {"X", "v\r\n continued"},
            new String[] {"", "empty name"}, new String[] {"X-Big", "b".repeat(m.between(8_000, 20_000))},
            new String[] {"Host", "second.host"}));
      }
      case 4 -> {
        what = "many headers";
        for (int i = m.between(100, 1_500); i > 0; i--) {
          headers.add(1, new String[] {"X-H" + i, "v"});
        }
      }
      case 5 -> {
        what = "no Host";
        headers.remove(0);
      }
      case 6 -> {
        what = "bare LF";
        lineEnd = m.pick("\n", "\r", "\n\r");
      }
      case 7 -> {
        what = "Content-Length";
        headers.removeIf(h -> h[0].equals("Content-Length"));
        headers.add(new String[] {"Content-Length", m.pick("abc", "-1", "1e3", "99999999999999999999", " 5",
            Integer.toString(Math.max(0, body.length - m.between(1, 20))),
            Integer.toString(body.length + m.between(1, 20)))});
        if (m.chance(0.3)) {
          headers.add(new String[] {"Content-Length", Integer.toString(body.length + 1)});
        }
      }
      case 8 -> {
        what = "chunked";
        headers.removeIf(h -> h[0].equals("Content-Length") && m.chance(0.8));
        headers.add(new String[] {"Transfer-Encoding", m.pick("chunked", "chunked", "gzip, chunked", "chunked, gzip",
            "identity", "bogus", "chunked\u0000")});
        framedBody = chunked(m, body);
      }
      case 9 -> {
        what = "Expect";
        headers.add(new String[] {"Expect", m.pick("100-continue", "100-Continue", "999-nope", "")});
        if (m.chance(0.4)) {
          framedBody = new byte[0]; // the body the client never sends after 100 Continue
        }
      }
      case 10 -> {
        what = "pipelined";
        byte[] first = HttpCase.bytes("GET", "/v2/health/live", "HTTP/1.1",
            List.<String[]>of(new String[] {"Host", "x"}), new byte[0]);
        byte[] second = m.mutateBytes(HttpCase.bytes(method, target, version, headers, body));
        return new HttpCase("raw HTTP/1 pipelined", port, concat(first, second));
      }
      case 11 -> {
        what = "Upgrade";
        headers.add(new String[] {"Upgrade", m.pick("websocket", "h2c", "h2", "x")});
        headers.add(new String[] {"Connection", "Upgrade, HTTP2-Settings"});
        headers.add(new String[] {"HTTP2-Settings", m.pick("", "!!!", "AAMAAABkAAQAoAAAAAIAAAAA")});
      }
      default -> {
        what = "bytes";
        byte[] request = HttpCase.bytes(method, target, version, headers, body);
        int headEnd = new String(request, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
        byte[] mutated = m.mutateBytes(java.util.Arrays.copyOf(request, headEnd + 4));
        return new HttpCase("raw HTTP/1 bytes", port, concat(mutated, body));
      }
    }
    String head = head(method, target, version, headers, lineEnd);
    return new HttpCase("raw HTTP/1 " + what, port, concat(head.getBytes(StandardCharsets.UTF_8), framedBody));
  }

  private static String head(String method, String target, String version, List<String[]> headers, String lineEnd) {
    StringBuilder b = new StringBuilder(method).append(' ').append(target).append(version.isEmpty() ? "" : " ")
        .append(version).append(lineEnd);
    for (String[] h : headers) {
      b.append(h[0]).append(h[1] == null ? "" : ": " + h[1]).append(lineEnd);
    }
    return b.append(lineEnd).toString();
  }

  /** The body in chunks, sometimes malformed: a bad size, a size that lies, no last chunk, odd extensions. */
  private static byte[] chunked(Mutations m, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (at < body.length) {
      int n = Math.min(body.length - at, m.between(1, 64));
      String size = m.chance(0.9) ? Integer.toHexString(n) : m.pick("zz", "-1", "ffffffffffffffff", "", n + ";ext=1",
          Integer.toHexString(n + 3));
      out.writeBytes((size + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body, at, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      at += n;
    }
    if (m.chance(0.9)) {
      out.writeBytes(m.pick("0\r\n\r\n", "0\r\nX-Trailer: v\r\n\r\n", "0\r\n", "00000\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
