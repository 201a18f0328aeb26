package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.SampleModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** KServe V2 REST against a real standalone node: metadata, health and real inference on real models. */
@ExtendWith(SharedNode.class)
class KServeInferenceTest {
  static RunningNode node;

  @BeforeAll
  static void start(RunningNode shared) throws Exception {
    node = shared;
  }


  static JsonObject input(String name, String datatype, JsonArray shape, Object data) {
    return new JsonObject().put("name", name).put("datatype", datatype).put("shape", shape).put("data", data);
  }

  static JsonObject infer(String path, JsonObject body) throws Exception {
    HttpResponse<String> r = node.post(path, body.encode());
    assertEquals(200, r.statusCode(), r.body());
    return RunningNode.json(r);
  }

  static JsonArray range(int from, int n) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < n; i++) {
      a.add(from + i);
    }
    return a;
  }

  @Test
  void healthAndServerMetadata() throws Exception {
    assertEquals(200, node.get("/v2/health/live").statusCode());
    assertEquals(200, node.get("/v2/health/ready").statusCode());
    JsonObject meta = RunningNode.json(node.get("/v2"));
    assertEquals("maas", meta.getString("name"));
    assertTrue(meta.getJsonArray("extensions").contains("model_configuration"), meta.encode());
  }

  @Test
  void simpleReturnsExactSumAndDifference() throws Exception {
    JsonObject body = new JsonObject().put("id", "req-7").put("inputs", new JsonArray()
        .add(input("INPUT0", "INT32", new JsonArray().add(1).add(16), new JsonArray().add(range(0, 16))))
        .add(input("INPUT1", "INT32", new JsonArray().add(1).add(16), range(1, 16).stream().map(x -> 1).toList())));
    JsonObject r = infer("/v2/models/simple/infer", body);
    assertEquals("req-7", r.getString("id"));
    assertEquals("simple", r.getString("model_name"));
    assertEquals("1", r.getString("model_version"));
    JsonArray outputs = r.getJsonArray("outputs");
    assertEquals(range(1, 16), outputs.getJsonObject(0).getJsonArray("data"));
    assertEquals(range(-1, 16), outputs.getJsonObject(1).getJsonArray("data"));
    assertEquals(new JsonArray().add(1).add(16), outputs.getJsonObject(0).getJsonArray("shape"));
  }

  @Test
  void outputsFilterReturnsOnlyTheNamedOutput() throws Exception {
    JsonObject body = new JsonObject()
        .put("inputs", new JsonArray()
            .add(input("INPUT0", "INT32", new JsonArray().add(2).add(16), range(0, 32)))
            .add(input("INPUT1", "INT32", new JsonArray().add(2).add(16), range(0, 32))))
        .put("outputs", new JsonArray().add(new JsonObject().put("name", "OUTPUT1")))
        .put("parameters", new JsonObject().put("priority", 1));
    JsonArray outputs = infer("/v2/models/simple/versions/1/infer", body).getJsonArray("outputs");
    assertEquals(1, outputs.size());
    assertEquals("OUTPUT1", outputs.getJsonObject(0).getString("name"));
    assertEquals(new JsonArray().add(2).add(16), outputs.getJsonObject(0).getJsonArray("shape"));
    outputs.getJsonObject(0).getJsonArray("data").forEach(v -> assertEquals(0, v));
  }

  @Test
  void affineFp32ReturnsExactValues() throws Exception {
    float[] rows = {1, 2, 3, 4, -0.5f, 0.25f, 8, 1};
    JsonArray data = new JsonArray();
    for (float f : rows) {
      data.add(f);
    }
    JsonObject r = infer("/v2/models/affine_fp32/infer", new JsonObject().put("inputs",
        new JsonArray().add(input("INPUT0", "FP32", new JsonArray().add(2).add(4), data))));
    JsonArray out = r.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    float[] expected0 = SampleModels.affineExpected(new float[] {1, 2, 3, 4});
    float[] expected1 = SampleModels.affineExpected(new float[] {-0.5f, 0.25f, 8, 1});
    assertEquals(List.of(expected0[0], expected0[1], expected1[0], expected1[1]),
        out.stream().map(v -> ((Number) v).floatValue()).toList());
  }

  @Test
  void miniLmThroughTheGatewayEqualsADirectOrtRun() throws Exception {
    long[] ids = {101, 7592, 2088, 2003, 1037, 3231, 102};
    JsonArray shape = new JsonArray().add(1).add(ids.length);
    JsonArray idJson = new JsonArray();
    JsonArray ones = new JsonArray();
    JsonArray zeros = new JsonArray();
    for (long id : ids) {
      idJson.add(id);
      ones.add(1);
      zeros.add(0);
    }
    JsonObject r = infer("/v2/models/all-minilm-l6-v2/infer", new JsonObject().put("inputs", new JsonArray()
        .add(input("input_ids", "INT64", shape, idJson))
        .add(input("attention_mask", "INT64", shape, ones))
        .add(input("token_type_ids", "INT64", shape, zeros))));
    JsonObject out = r.getJsonArray("outputs").getJsonObject(0);
    assertEquals("last_hidden_state", out.getString("name"));
    assertEquals(new JsonArray().add(1).add(ids.length).add(384), out.getJsonArray("shape"));
    JsonArray got = out.getJsonArray("data");

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(TestRepository.minilmModel().toString(), new OrtSession.SessionOptions());
        OnnxTensor idT = OnnxTensor.createTensor(env, new long[][] {ids});
        OnnxTensor maskT = OnnxTensor.createTensor(env, new long[][] {{1, 1, 1, 1, 1, 1, 1}});
        OnnxTensor typeT = OnnxTensor.createTensor(env, new long[][] {{0, 0, 0, 0, 0, 0, 0}});
        OrtSession.Result result = session.run(Map.of("input_ids", idT, "attention_mask", maskT, "token_type_ids", typeT))) {
      float[] expected = ((OnnxTensor) result.get(0)).getFloatBuffer().array();
      assertEquals(expected.length, got.size());
      double maxDiff = 0;
      for (int i = 0; i < expected.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(expected[i] - ((Number) got.getValue(i)).floatValue()));
      }
      assertTrue(maxDiff <= 1e-5, "max abs difference " + maxDiff);
    }
  }

  @Test
  void everyFeedableDatatypeRoundTripsThroughIdentity() throws Exception {
    Map<ElemType, JsonArray> samples = Map.of(
        ElemType.BOOL, new JsonArray().add(true).add(false).add(true),
        ElemType.UINT8, new JsonArray().add(0).add(128).add(255),
        ElemType.INT8, new JsonArray().add(-128).add(0).add(127),
        ElemType.INT16, new JsonArray().add(-32768).add(7).add(32767),
        ElemType.INT32, new JsonArray().add(Integer.MIN_VALUE).add(0).add(Integer.MAX_VALUE),
        ElemType.INT64, new JsonArray().add(Long.MIN_VALUE).add(0L).add(Long.MAX_VALUE),
        ElemType.FLOAT16, new JsonArray().add(1.5f).add(-0.25f).add(65504f),
        ElemType.FLOAT, new JsonArray().add(0.1f).add(-3.5f).add(1e30f),
        ElemType.DOUBLE, new JsonArray().add(0.1).add(-2.5e300).add(Math.PI),
        ElemType.STRING, new JsonArray().add("hello").add("").add("Grüße ✓"));
    for (ElemType t : TestRepository.FEEDABLE) {
      String datatype = kserve(t);
      JsonObject r = infer("/v2/models/identity_" + t.name().toLowerCase() + "/infer", new JsonObject().put("inputs",
          new JsonArray().add(input("INPUT0", datatype, new JsonArray().add(1).add(3), samples.get(t)))));
      JsonObject out = r.getJsonArray("outputs").getJsonObject(0);
      assertEquals(datatype, out.getString("datatype"), t.toString());
      assertEquals(new JsonArray().add(1).add(3), out.getJsonArray("shape"), t.toString());
      assertEquals(normalise(samples.get(t)), normalise(out.getJsonArray("data")), t.toString());
    }
  }

  @Test
  void unsignedOutputsComeBackWithTheirFullRange() throws Exception {
    Map<ElemType, List<Object>> expected = Map.of(
        ElemType.UINT16, List.of(0L, 65535L, 7L),
        ElemType.UINT32, List.of(0L, 4294967295L, 7L),
        ElemType.UINT64, List.of(0L, new java.math.BigInteger("18446744073709551615"), 7L));
    for (ElemType t : TestRepository.OUTPUT_ONLY) {
      // Cast(INT64 -> UINTn): -1 wraps to the type's maximum
      JsonObject r = infer("/v2/models/cast_to_" + t.name().toLowerCase() + "/infer", new JsonObject().put("inputs",
          new JsonArray().add(input("INPUT0", "INT64", new JsonArray().add(1).add(3),
              new JsonArray().add(0).add(t == ElemType.UINT16 ? 65535 : t == ElemType.UINT32 ? 4294967295L : -1).add(7)))));
      JsonObject out = r.getJsonArray("outputs").getJsonObject(0);
      assertEquals(kserve(t), out.getString("datatype"));
      assertEquals(normalise(new JsonArray(expected.get(t))), normalise(out.getJsonArray("data")), t.toString());
    }
  }

  @Test
  void unsignedInputModelsAreReportedUnavailableWithTheReason() throws Exception {
    HttpResponse<String> ready = node.get("/v2/models/identity_uint32/ready");
    assertEquals(503, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("UINT32"), ready.body());
    HttpResponse<String> r = node.post("/v2/models/identity_uint32/infer", "{\"inputs\":[]}");
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(r.body().contains("cannot create"), r.body());
  }

  @Test
  void modelWithoutConfigIsServedWithInferredMetadata() throws Exception {
    JsonObject meta = RunningNode.json(node.get("/v2/models/identity_float"));
    assertEquals("onnxruntime_onnx", meta.getString("platform"));
    assertEquals(new JsonArray().add("1"), meta.getJsonArray("versions"));
    assertEquals(new JsonObject().put("name", "INPUT0").put("datatype", "FP32").put("shape", new JsonArray().add(-1).add(3)),
        meta.getJsonArray("inputs").getJsonObject(0));
    assertEquals(new JsonObject().put("name", "OUTPUT0").put("datatype", "FP32").put("shape", new JsonArray().add(-1).add(3)),
        meta.getJsonArray("outputs").getJsonObject(0));
    JsonObject config = RunningNode.json(node.get("/v2/models/identity_float/config"));
    assertEquals(0, config.getInteger("max_batch_size"));
    assertEquals("TYPE_FP32", config.getJsonArray("input").getJsonObject(0).getString("data_type"));
  }

  @Test
  void configuredModelReportsTritonStyleConfig() throws Exception {
    JsonObject config = RunningNode.json(node.get("/v2/models/simple/config"));
    assertEquals(8, config.getInteger("max_batch_size"));
    assertEquals(new JsonArray().add(16), config.getJsonArray("input").getJsonObject(0).getJsonArray("dims"));
    JsonObject meta = RunningNode.json(node.get("/v2/models/simple/versions/1"));
    assertEquals(new JsonArray().add(-1).add(16), meta.getJsonArray("inputs").getJsonObject(0).getJsonArray("shape"));
  }

  @Test
  void versionsAreServedByNumberAndTheLatestByDefault() throws Exception {
    JsonObject body = new JsonObject().put("inputs",
        new JsonArray().add(input("INPUT0", "INT32", new JsonArray().add(1).add(2), new JsonArray().add(3).add(-4))));
    JsonObject v1 = infer("/v2/models/versioned/versions/1/infer", body);
    assertEquals("1", v1.getString("model_version"));
    assertEquals(new JsonArray().add(3).add(-4), v1.getJsonArray("outputs").getJsonObject(0).getJsonArray("data"));
    JsonObject latest = infer("/v2/models/versioned/infer", body);
    assertEquals("2", latest.getString("model_version"));
    assertEquals(new JsonArray().add(-3).add(4), latest.getJsonArray("outputs").getJsonObject(0).getJsonArray("data"));
    assertEquals(new JsonArray().add("1").add("2"), RunningNode.json(node.get("/v2/models/versioned")).getJsonArray("versions"));
    assertEquals(200, node.get("/v2/models/versioned/versions/1/ready").statusCode());
  }

  @Test
  void repositoryIndexListsEveryModelWithItsState() throws Exception {
    HttpResponse<String> r = node.post("/v2/repository/index", "");
    assertEquals(200, r.statusCode());
    JsonArray index = new JsonArray(r.body());
    assertTrue(index.stream().anyMatch(o -> ((JsonObject) o).getString("name").equals("simple")
        && ((JsonObject) o).getString("state").equals("READY")), r.body());
    assertTrue(index.stream().anyMatch(o -> ((JsonObject) o).getString("name").equals("broken")
        && ((JsonObject) o).getString("state").equals("UNAVAILABLE")
        && ((JsonObject) o).getString("reason").contains("max_batch_size")), r.body());
  }

  static String kserve(ElemType t) {
    return switch (t) {
      case FLOAT16 -> "FP16";
      case FLOAT -> "FP32";
      case DOUBLE -> "FP64";
      case STRING -> "BYTES";
      default -> t.name();
    };
  }

  /** Numbers compared by value whatever their boxed type (JSON has one number type). */
  static List<Object> normalise(JsonArray a) {
    return a.stream().map(v -> v instanceof Number n ? (Object) new java.math.BigDecimal(n.toString()).stripTrailingZeros() : v)
        .toList();
  }
}
