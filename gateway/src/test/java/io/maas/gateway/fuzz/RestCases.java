package io.maas.gateway.fuzz;

import io.maas.gateway.fuzz.Models.Input;
import io.maas.gateway.fuzz.Models.Model;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Requests to the REST port's APIs: KServe V2 (infer, with JSON or binary tensors; metadata, ready, config, stats,
 * server metadata, health, repository index), TF Serving (predict, status, metadata), the simple predict call and
 * OpenAI embeddings. Each starts as a valid request to a real model and is mutated in its body (JSON tree or bytes),
 * path (model names and versions no repository holds), method and headers (content type, content encoding, Expect,
 * API key, binary header length).
 */
final class RestCases {
  /** Where a request's API key goes; {@link HttpCase} puts the target's key there. */
  static final String KEY = "@@KEY@@";

  private RestCases() {}

  static FuzzCase next(Mutations m) {
    Model model = Models.any(m);
    String name = Models.name(m, model);
    boolean real = name.equals(model.name());
    String version = m.chance(0.75) ? "" : m.chance(0.5) ? "1" : m.pick(Models.STRANGE_VERSIONS);
    String versioned = version.isEmpty() ? "" : "/versions/" + version;
    int kind = m.random.nextInt(100);
    String surface;
    String method;
    String path;
    Object body = null;
    Binary binary = null;
    if (kind < 30) {
      surface = "REST v2 infer";
      method = "POST";
      path = "/v2/models/" + name + versioned + "/infer";
      if (!model.text() && m.chance(0.15)) {
        binary = binaryInfer(m, model);
      } else {
        body = v2Body(m, model);
      }
    } else if (kind < 40) {
      surface = "REST v2 model";
      method = "GET";
      path = "/v2/models/" + name + versioned + m.pick("", "/ready", "/config", "/stats");
    } else if (kind < 45) {
      surface = "REST v2 server";
      method = m.pick("GET", "GET", "POST");
      path = m.pick("/v2", "/v2/health/live", "/v2/health/ready", "/v2/repository/index", "/v2/models/stats",
          "/v2/models", "/v2/health", "/v2/repository/index?ready=true");
      body = method.equals("POST") ? new JsonObject().put("ready", m.random.nextBoolean()) : null;
    } else if (kind < 60) {
      surface = "REST TF Serving predict";
      method = "POST";
      path = "/v1/models/" + name + versioned + m.pick(":predict", ":predict", ":classify", ":regress", ":nope", "");
      body = tfBody(m, model);
    } else if (kind < 65) {
      surface = "REST TF Serving status";
      method = "GET";
      path = "/v1/models/" + name + versioned + m.pick("", "/metadata", "/labels", "/metadata/x");
    } else if (kind < 80) {
      surface = "REST simple predict";
      method = "POST";
      path = "/" + name + "/predict";
      body = simpleBody(m, model);
    } else if (kind < 95) {
      surface = "REST OpenAI embeddings";
      method = "POST";
      path = "/v1/embeddings";
      body = embeddingsBody(m, real ? name : "all-minilm-l6-v2");
    } else {
      surface = "REST unknown path";
      method = m.pick("GET", "POST", "DELETE");
      path = m.pick("/", "/v3", "/v2/models/" + name + "/infer/x", "//v2//models", "/v2/models/" + name + "/versions",
          "/%2e%2e/%2e%2e/etc/passwd", "/v1/models/:predict", "/v1/models/" + name + "/versions/:predict",
          "/" + "a/".repeat(m.between(1, 300)));
    }
    byte[] payload = binary != null ? binary.body() : body == null ? new byte[0] : mutatedBody(m, body);
    boolean asksForADeadline = HttpCase.asksForADeadline(payload); // before any gzip
    List<String[]> headers = new ArrayList<>();
    String contentType = m.chance(0.7) ? "application/json" : m.pick(null, "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "multipart/form-data", "application/octet-stream", "text/plain",
        "application/json; charset=utf-16", "\u0001", "application/" + "x".repeat(500));
    if (binary != null && m.chance(0.9)) {
      headers.add(new String[] {"Inference-Header-Content-Length", Integer.toString(binary.headerLength())});
      contentType = "application/octet-stream";
    } else if (m.chance(0.03)) {
      headers.add(new String[] {"Inference-Header-Content-Length", m.pick("-1", "0", "abc", "99999999999", "5")});
    }
    if (contentType != null) {
      headers.add(new String[] {"Content-Type", contentType});
    }
    headers.add(auth(m));
    if (m.chance(0.08)) {
      String encoding = m.pick("gzip", "gzip", "deflate", "br", "identity", "gzip, gzip", "x");
      headers.add(new String[] {"Content-Encoding", encoding});
      if (encoding.equals("gzip") && m.chance(0.6)) {
        payload = gzip(payload);
      }
    }
    if (m.chance(0.04)) {
      headers.add(new String[] {"Expect", m.pick("100-continue", "999-nope", "", "100-continue, x")});
    }
    if (m.chance(0.05)) {
      headers.add(new String[] {"X-Request-Id", m.pick("", "a b", "x".repeat(2_000), "ünï", "id\u0001")});
    }
    if (m.chance(0.03)) {
      headers.add(new String[] {"Accept-Encoding", m.pick("gzip", "*", "br;q=1, gzip;q=0", "\u0001")});
    }
    if (m.chance(0.1)) {
      method = m.pick("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO", "post");
    }
    List<String[]> all = HttpCase.headers(payload);
    all.addAll(all.size() - 1, headers);
    byte[] request = HttpCase.bytes(method, path, "HTTP/1.1", all, payload);
    return new HttpCase(surface, Target::restPort, request, real && !model.available(), asksForADeadline);
  }

  /** A valid key most of the time; else none, a wrong one, or one in the other header. */
  static String[] auth(Mutations m) {
    return switch (m.random.nextInt(20)) {
      case 0 -> new String[] {"X-Unused", "no key"};
      case 1 -> new String[] {"Authorization", m.pick("Bearer ", "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer",
          "Bearer " + "k".repeat(3_000), "bearer " + KEY)};
      case 2 -> new String[] {"X-Api-Key", m.pick(KEY, "nope", "")};
      default -> new String[] {"Authorization", "Bearer " + KEY};
    };
  }

  private static byte[] mutatedBody(Mutations m, Object body) {
    double p = m.random.nextDouble();
    if (p < 0.12) {
      return m.render(body).getBytes(StandardCharsets.UTF_8); // valid: the APIs must still answer those
    }
    if (p < 0.22) {
      return m.mutateBytes(m.render(body).getBytes(StandardCharsets.UTF_8));
    }
    return m.mutateJson(body);
  }

  static JsonObject v2Body(Mutations m, Model model) {
    JsonArray inputs = new JsonArray();
    for (Input in : model.inputs()) {
      long[] shape = Models.concreteShape(m, in);
      JsonArray flat = Models.data(m, in.datatype(), Models.count(shape));
      Object data = m.chance(0.3) && shape.length > 1 ? Models.nest(flat, shape, 0, new int[] {0}) : flat;
      inputs.add(new JsonObject().put("name", in.name()).put("shape", Models.json(shape))
          .put("datatype", in.datatype()).put("data", data));
    }
    JsonObject body = new JsonObject().put("inputs", inputs);
    if (m.chance(0.3)) {
      body.put("id", "fuzz-" + m.random.nextInt(1000));
    }
    if (m.chance(0.2)) {
      body.put("outputs", new JsonArray().add(new JsonObject().put("name", m.pick("OUTPUT0", "embedding", "nope"))));
    }
    if (m.chance(0.1)) {
      body.put("parameters", new JsonObject().put(m.pick("timeout", "binary_data_output", "priority"),
          m.pick(1, 0, -5, 1_000_000, "soon", true)));
    }
    return body;
  }

  static JsonObject tfBody(Mutations m, Model model) {
    if (model.text()) {
      return new JsonObject().put("instances", new JsonArray().add(Models.value(m, "BYTES")));
    }
    JsonArray rows = new JsonArray();
    int batch = m.between(1, 2);
    for (int b = 0; b < batch; b++) {
      if (model.inputs().size() == 1 && m.chance(0.7)) {
        rows.add(row(m, model.inputs().get(0)));
      } else {
        JsonObject named = new JsonObject();
        model.inputs().forEach(in -> named.put(in.name(), row(m, in)));
        rows.add(named);
      }
    }
    if (m.chance(0.25)) { // the columnar format
      JsonObject columns = new JsonObject();
      model.inputs().forEach(in -> columns.put(in.name(), new JsonArray().add(row(m, in))));
      return new JsonObject().put("inputs", columns);
    }
    return new JsonObject().put("instances", rows).put("signature_name", m.chance(0.1) ? "nope" : "serving_default");
  }

  /** One batch row of an input, nested to its shape without the batch dimension. */
  private static Object row(Mutations m, Input in) {
    long[] shape = Models.concreteShape(m, in);
    long[] inner = java.util.Arrays.copyOfRange(shape, 1, shape.length);
    JsonArray flat = Models.data(m, in.datatype(), Models.count(inner));
    return Models.nest(flat, inner, 0, new int[] {0});
  }

  static JsonObject simpleBody(Mutations m, Model model) {
    JsonObject body = new JsonObject();
    for (Input in : model.inputs()) {
      long[] shape = Models.concreteShape(m, in);
      body.put(in.name(), Models.nest(Models.data(m, in.datatype(), Models.count(shape)), shape, 0, new int[] {0}));
    }
    return body;
  }

  static JsonObject embeddingsBody(Mutations m, String model) {
    JsonObject body = new JsonObject().put("model", model)
        .put("input", m.chance(0.5) ? Models.value(m, "BYTES") : new JsonArray().add("hello").add(Models.value(m, "BYTES")));
    if (m.chance(0.3)) {
      body.put("encoding_format", m.pick("float", "base64", "nope"));
    }
    if (m.chance(0.2)) {
      body.put("dimensions", m.pick(384, 1, 0, -3, 1_000_000));
    }
    return body;
  }

  /** A binary tensor body and the JSON header length to declare for it (its true length, unless mutated). */
  record Binary(byte[] body, int headerLength) {}

  /**
   * A request of the binary tensor extension: a JSON header declaring each input's binary_data_size, then the raw
   * little-endian tensors; sizes mutated at times.
   */
  static Binary binaryInfer(Mutations m, Model model) {
    JsonArray inputs = new JsonArray();
    ByteArrayOutputStream tensors = new ByteArrayOutputStream();
    for (Input in : model.inputs()) {
      long[] shape = Models.concreteShape(m, in);
      int size = (int) Models.count(shape) * elementSize(in.datatype());
      byte[] raw = in.datatype().equals("BYTES") ? bytesElements(m, (int) Models.count(shape)) : m.randomBytes(size);
      int declared = m.chance(0.8) ? raw.length : m.pick(0, -4, raw.length + 1, raw.length * 1000, Integer.MAX_VALUE);
      inputs.add(new JsonObject().put("name", in.name()).put("shape", Models.json(shape)).put("datatype", in.datatype())
          .put("parameters", new JsonObject().put("binary_data_size", declared)));
      tensors.writeBytes(m.chance(0.9) ? raw : m.mutateBytes(raw));
    }
    JsonObject header = new JsonObject().put("inputs", inputs);
    if (m.chance(0.5)) {
      header.put("parameters", new JsonObject().put("binary_data_output", m.random.nextBoolean()));
    }
    byte[] json = m.chance(0.8) ? header.encode().getBytes(StandardCharsets.UTF_8) : m.mutateJson(header);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(json);
    body.writeBytes(tensors.toByteArray());
    return new Binary(body.toByteArray(),
        m.chance(0.85) ? json.length : m.pick(0, json.length + 1, json.length - 1, 1 << 30));
  }

  private static int elementSize(String datatype) {
    return switch (datatype) {
      case "BOOL", "UINT8", "INT8" -> 1;
      case "UINT16", "INT16", "FP16" -> 2;
      case "UINT32", "INT32", "FP32" -> 4;
      default -> 8;
    };
  }

  /** BYTES elements as the extension lays them out: a 4-byte little-endian length, then the bytes. */
  private static byte[] bytesElements(Mutations m, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      byte[] s = ((String) Models.value(m, "BYTES")).getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(s.length).array());
      out.writeBytes(s);
    }
    return out.toByteArray();
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
