package io.maas.gateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * An HTTP/1 request sent as raw bytes to the REST, gRPC or admin port. Every response it gets must be under 500,
 * but for the answers a case makes legitimate: 503 for a model the node reports unavailable, 504 for a request
 * that asked for a deadline of its own. Silence (the server closing the connection unanswered, before the client
 * ended its side) and a hang fail the case; a request cut short that the server waits out until the client ends
 * its side is not silence.
 */
final class HttpCase implements FuzzCase {
  private final String surface;
  private final ToIntFunction<Target> port;
  private final byte[] request;
  private final boolean allowUnavailable;
  private final boolean allowDeadline;

  /** A case whose request names no unavailable model, and asks for a deadline only if it says "timeout". */
  HttpCase(String surface, ToIntFunction<Target> port, byte[] request) {
    this(surface, port, request, false, asksForADeadline(request));
  }

  /**
   * @param allowUnavailable whether the request names a model the node reports unavailable
   * @param allowDeadline whether the request carries a KServe {@code timeout} parameter (it may be a microsecond)
   */
  HttpCase(String surface, ToIntFunction<Target> port, byte[] request, boolean allowUnavailable,
      boolean allowDeadline) {
    this.surface = surface;
    this.port = port;
    this.request = request;
    this.allowUnavailable = allowUnavailable;
    this.allowDeadline = allowDeadline;
  }

  /** Whether the (uncompressed) bytes carry a {@code timeout} parameter. */
  static boolean asksForADeadline(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1).contains("timeout");
  }

  /** The bytes of a request: its line, headers and body; Content-Length is the caller's to set (or not). */
  static byte[] bytes(String method, String target, String version, List<String[]> headers, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(' ').append(version)
        .append("\r\n");
    for (String[] h : headers) {
      head.append(h[0]).append(": ").append(h[1]).append("\r\n");
    }
    head.append("\r\n");
    out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** A request's usual headers: Host, Connection: close, and the body's Content-Length. */
  static List<String[]> headers(byte[] body, String... more) {
    List<String[]> h = new ArrayList<>();
    h.add(new String[] {"Host", "127.0.0.1"});
    h.add(new String[] {"Connection", "close"});
    for (int i = 0; i < more.length; i += 2) {
      if (more[i + 1] != null) {
        h.add(new String[] {more[i], more[i + 1]});
      }
    }
    h.add(new String[] {"Content-Length", Integer.toString(body.length)});
    return h;
  }

  /** The request with the target's secrets where its placeholders stand (a gzipped body keeps its bytes). */
  static byte[] withSecrets(byte[] request, Target target) {
    String text = new String(request, StandardCharsets.ISO_8859_1);
    if (!text.contains("@@")) {
      return request;
    }
    return text.replace(RestCases.KEY, target.apiKey()).replace(AdminCases.TOKEN, target.adminToken())
        .replace(AdminCases.VICTIM, target.victimKeyId()).getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public String surface() {
    return surface;
  }

  @Override
  public String describe() {
    String text = new String(request, 0, Math.min(request.length, 400), StandardCharsets.ISO_8859_1)
        .replace("\r\n", "\\r\\n");
    return text + (request.length > 400 ? "... (" + request.length + " bytes)" : "");
  }

  @Override
  public Verdict run(Target target, long deadlineMs) throws Exception {
    boolean head = request.length >= 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
    RawHttp1.Exchange x = RawHttp1.exchange(port.applyAsInt(target), withSecrets(request, target), deadlineMs, head);
    if (x.hung()) {
      return Verdict.broken("hang", "no answer and no close within " + deadlineMs + " ms; got: " + x.raw());
    }
    if (x.silent()) {
      return Verdict.broken("silence", "the server closed the connection without an answer; got: " + x.raw());
    }
    if (x.responses().isEmpty()) {
      return Verdict.ok("cut short: closed after the client's end");
    }
    for (RawHttp1.Response r : x.responses()) {
      boolean allowed = r.status() < 500 || r.status() == 503 && allowUnavailable
          || r.status() == 504 && allowDeadline;
      if (!allowed) {
        return Verdict.broken("HTTP " + r.status(), r.body().length() > 500 ? r.body().substring(0, 500) : r.body());
      }
    }
    return Verdict.ok("HTTP " + x.responses().get(0).status());
  }
}
