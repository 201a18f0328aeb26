package io.maas.gateway.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests to the admin port: {@code GET /metrics}, and the key API with the admin token, a wrong one or none;
 * key bodies mutated as JSON. Only the victim key is changed or revoked, never the key the other cases use.
 */
final class AdminCases {
  /** Where the admin token goes; {@link HttpCase} puts the target's there. */
  static final String TOKEN = "@@ADMIN@@";
  /** Where the victim key's id goes. */
  static final String VICTIM = "@@VICTIM@@";

  private AdminCases() {}

  static FuzzCase next(Mutations m) {
    String id = m.chance(0.6) ? VICTIM : m.pick("nope", "maas_nope", "maas_", "x".repeat(300), "%", "%2F", "..");
    String method;
    String path;
    Object body = null;
    switch (m.random.nextInt(8)) {
      case 0 -> {
        method = "GET";
        path = m.pick("/metrics", "/metrics?x=1", "/metrics/x", "/", "/admin");
      }
      case 1, 2 -> {
        method = "POST";
        path = "/admin/keys";
        body = key(m);
      }
      case 3 -> {
        method = "GET";
        path = "/admin/keys";
      }
      case 4 -> {
        method = "GET";
        path = "/admin/keys/" + id + m.pick("", "/usage", "/usage/x");
      }
      case 5, 6 -> {
        method = "PATCH";
        path = "/admin/keys/" + id;
        body = key(m);
      }
      default -> {
        method = m.pick("DELETE", "PUT", "POST");
        path = "/admin/keys/" + id;
      }
    }
    if (m.chance(0.05)) {
      method = m.pick("GET", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "FOO");
    }
    byte[] payload = body == null ? new byte[0]
        : m.chance(0.15) ? m.render(body).getBytes(StandardCharsets.UTF_8) : m.mutateJson(body);
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Authorization", switch (m.random.nextInt(10)) {
      case 0 -> "Bearer nope";
      case 1 -> m.pick("", "Bearer", "Bearer ", "Basic " + TOKEN, "Bearer " + TOKEN + "x", "Bearer " + "t".repeat(3_000));
      default -> "Bearer " + TOKEN;
    }});
    if (body != null) {
      headers.add(new String[] {"Content-Type", m.chance(0.8) ? "application/json" : "text/plain"});
    }
    List<String[]> all = HttpCase.headers(payload);
    all.addAll(all.size() - 1, headers);
    return new HttpCase("admin", Target::adminPort, HttpCase.bytes(method, path, "HTTP/1.1", all, payload));
  }

  /** A key body: every field the API reads, valid, for mutations to start from. */
  private static JsonObject key(Mutations m) {
    return new JsonObject().put("name", "fuzz-" + m.random.nextInt(100)).put("owner", "fuzz")
        .put("models", new JsonArray().add(m.pick("*", "simple", "affine_fp32")))
        .put("rate_per_second", m.pick(1, 5.5, 1000)).put("burst", m.between(1, 100))
        .put("daily_quota", m.pick(0, 10)).put("expires_at", 0).put("enabled", true);
  }
}
