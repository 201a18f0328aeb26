package io.maas.gateway.fuzz;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One gRPC call sent frame by frame ({@link RawHttp2}). Its answer must come within the deadline as an HTTP status
 * under 500 and, on a 200, a grpc-status that is not UNKNOWN, INTERNAL or CANCELLED, on a stream that is neither
 * reset nor dropped: all are what a client's mistake must never get. A case makes some answers legitimate: 415 for a
 * content type that is not gRPC over HTTP/2; 431 or a GOAWAY for metadata over the server's limit (Netty's own
 * answers); UNAVAILABLE for a model the node reports unavailable; DEADLINE_EXCEEDED for a call that set a deadline;
 * INTERNAL naming the invalid Compressed-Flag, which gRPC's compression spec prescribes.
 */
final class GrpcCase implements FuzzCase {
  /** Which answers the way the case was built makes legitimate. */
  record Allowed(boolean unavailable, boolean deadline, boolean misflagged, boolean oversizedMetadata) {}

  private final String method;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final boolean watch;
  private final Allowed allowed;

  GrpcCase(String method, List<Map.Entry<String, String>> headers, byte[] body, boolean watch, Allowed allowed) {
    this.method = method;
    this.headers = headers;
    this.body = body;
    this.watch = watch;
    this.allowed = allowed;
  }

  @Override
  public String surface() {
    String m = method.startsWith("/inference.GRPCInferenceService/") || method.startsWith("/grpc.health.v1.Health/")
        ? method.substring(1) : "other methods";
    return "gRPC " + (m.length() > 60 ? "other methods" : m);
  }

  @Override
  public String describe() {
    String h = headers.stream().map(e -> e.getKey() + ": " + (e.getValue().length() > 60
        ? e.getValue().substring(0, 60) + "...(" + e.getValue().length() + ")" : e.getValue()))
        .limit(12).collect(Collectors.joining(", "));
    StringBuilder b = new StringBuilder(h).append(headers.size() > 12 ? ", ... (" + headers.size() + " headers)" : "")
        .append("; body ");
    if (body == null) {
      return b.append("none (HEADERS end the stream)").toString();
    }
    for (int i = 0; i < Math.min(body.length, 48); i++) {
      b.append(String.format("%02x", body[i]));
    }
    return b.append(body.length > 48 ? "... (" + body.length + " bytes)" : "").toString();
  }

  @Override
  public Verdict run(Target target, long deadlineMs) throws Exception {
    List<Map.Entry<String, String>> sent = headers.stream()
        .map(e -> Map.entry(e.getKey(), e.getValue().replace(RestCases.KEY, target.apiKey()))).toList();
    RawHttp2.Exchange x = RawHttp2.call(target.grpcPort(), sent, body, watch, deadlineMs);
    String outcome = x.describe();
    if (x.hung() || x.resetCode() >= 0) {
      return Verdict.broken(x.hung() ? "hang" : "reset", outcome);
    }
    if (x.goAwayCode() >= 0 || x.closed() && x.status() == 0) {
      return allowed.oversizedMetadata() ? Verdict.ok("GOAWAY (metadata over the limit)")
          : Verdict.broken("dropped", outcome);
    }
    if (x.status() != 200) {
      boolean ok = x.status() == 415 || x.status() == 431 && allowed.oversizedMetadata() || x.status() < 500
          && x.status() != 0;
      return ok ? Verdict.ok("HTTP " + x.status()) : Verdict.broken("HTTP " + x.status(), outcome);
    }
    if (x.grpcStatus() == null) {
      return watch && x.messages() > 0 ? Verdict.ok("Watch status sent")
          : Verdict.broken("no grpc-status", outcome);
    }
    boolean ok = switch (x.grpcStatus()) {
      case "1", "2" -> false; // CANCELLED, UNKNOWN
      case "13" -> allowed.misflagged() && x.grpcMessage().contains("Compressed-Flag");
      case "14" -> allowed.unavailable();
      case "4" -> allowed.deadline();
      default -> true;
    };
    return ok ? Verdict.ok("grpc-status " + x.grpcStatus()) : Verdict.broken("grpc-status " + x.grpcStatus(), outcome);
  }
}
