package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TF Serving's REST API against a real node: the row and columnar formats give the numbers KServe V2
 * infer gives for the same inputs, status and metadata read as TF Serving writes them, and mistakes get
 * TF Serving's {@code {"error": "..."}} with their status.
 */
@ExtendWith(SharedNode.class)
class TfServingTest {
  static RunningNode node;

  static final long[] TOKENS = {101, 7592, 2088, 2003, 1037, 3231, 102};

  @BeforeAll
  static void start(RunningNode shared) throws Exception {
    node = shared;
  }


  static JsonObject ok(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return RunningNode.json(r);
  }

  static JsonObject post(String path, JsonObject body) throws Exception {
    return ok(node.post(path, body.encode()));
  }

  /** The V2 answer's outputs, by name, as flat lists of numbers. */
  static JsonObject v2(String model, JsonObject namedNested) throws Exception {
    JsonArray inputs = new JsonArray();
    JsonObject meta = ok(node.get("/v2/models/" + model));
    for (Object o : meta.getJsonArray("inputs")) {
      JsonObject spec = (JsonObject) o;
      Object value = namedNested.getValue(spec.getString("name"));
      if (value == null) {
        continue; // an alternative input (a text model's text) the test does not send
      }
      inputs.add(new JsonObject().put("name", spec.getString("name")).put("datatype", spec.getString("datatype"))
          .put("shape", shape(value)).put("data", value));
    }
    JsonObject out = new JsonObject();
    for (Object o : post("/v2/models/" + model + "/infer", new JsonObject().put("inputs", inputs)).getJsonArray("outputs")) {
      out.put(((JsonObject) o).getString("name"), ((JsonObject) o).getJsonArray("data"));
    }
    return out;
  }

  static JsonArray shape(Object nested) {
    JsonArray s = new JsonArray();
    while (nested instanceof JsonArray a) {
      s.add(a.size());
      nested = a.isEmpty() ? null : a.getValue(0);
    }
    return s;
  }

  static List<Object> flat(Object nested) {
    List<Object> out = new ArrayList<>();
    if (nested instanceof JsonArray a) {
      a.forEach(v -> out.addAll(flat(v)));
    } else {
      out.add(nested instanceof Number n ? (Object) n.doubleValue() : nested);
    }
    return out;
  }

  /** Row format: the inputs split into instances along the first dimension. */
  static JsonArray instances(JsonObject namedNested) {
    JsonArray rows = new JsonArray();
    int n = namedNested.getJsonArray(namedNested.fieldNames().iterator().next()).size();
    for (int i = 0; i < n; i++) {
      JsonObject row = new JsonObject();
      int index = i;
      namedNested.forEach(e -> row.put(e.getKey(), ((JsonArray) e.getValue()).getValue(index)));
      rows.add(row);
    }
    return rows;
  }

  static void assertRowAndColumnarEqualV2(String model, JsonObject inputs) throws Exception {
    JsonObject expected = v2(model, inputs);
    JsonObject rows = post("/v1/models/" + model + ":predict", new JsonObject().put("instances", instances(inputs)));
    JsonObject columns = post("/v1/models/" + model + ":predict", new JsonObject().put("inputs", inputs));
    JsonArray predictions = rows.getJsonArray("predictions");
    Object outputs = columns.getValue("outputs");
    if (expected.size() == 1) {
      String name = expected.fieldNames().iterator().next();
      assertEquals(flat(expected.getJsonArray(name)), flat(predictions), "row format, " + model);
      assertEquals(flat(expected.getJsonArray(name)), flat(outputs), "columnar format, " + model);
      return;
    }
    for (String name : expected.fieldNames()) {
      JsonArray column = new JsonArray();
      predictions.forEach(p -> column.add(((JsonObject) p).getValue(name)));
      assertEquals(flat(expected.getJsonArray(name)), flat(column), "row format, " + model + " " + name);
      assertEquals(flat(expected.getJsonArray(name)), flat(((JsonObject) outputs).getValue(name)),
          "columnar format, " + model + " " + name);
    }
  }

  static JsonArray row(long... values) {
    JsonArray a = new JsonArray();
    for (long v : values) {
      a.add(v);
    }
    return a;
  }

  @Test
  void simpleRowAndColumnarEqualV2Infer() throws Exception {
    JsonArray a = new JsonArray();
    JsonArray b = new JsonArray();
    for (int r = 0; r < 3; r++) {
      JsonArray ra = new JsonArray();
      JsonArray rb = new JsonArray();
      for (int i = 0; i < 16; i++) {
        ra.add(r * 16 + i);
        rb.add(i % 5 - r);
      }
      a.add(ra);
      b.add(rb);
    }
    assertRowAndColumnarEqualV2("simple", new JsonObject().put("INPUT0", a).put("INPUT1", b));
  }

  @Test
  void affineFp32RowAndColumnarEqualV2Infer() throws Exception {
    JsonArray x = new JsonArray().add(new JsonArray().add(1).add(2).add(3).add(4))
        .add(new JsonArray().add(0.5).add(0.25).add(0.125).add(-1))
        .add(new JsonArray().add(-7.5).add(1e-3).add(3.25).add(100));
    assertRowAndColumnarEqualV2("affine_fp32", new JsonObject().put("INPUT0", x));
  }

  @Test
  void miniLmTokenInputsRowAndColumnarEqualV2Infer() throws Exception {
    long[] ones = new long[TOKENS.length];
    java.util.Arrays.fill(ones, 1);
    JsonObject inputs = new JsonObject()
        .put("input_ids", new JsonArray().add(row(TOKENS)))
        .put("attention_mask", new JsonArray().add(row(ones)))
        .put("token_type_ids", new JsonArray().add(row(new long[TOKENS.length])));
    assertRowAndColumnarEqualV2("all-minilm-l6-v2", inputs);
    JsonObject columns = post("/v1/models/all-minilm-l6-v2:predict", new JsonObject().put("inputs", inputs));
    JsonObject outputs = columns.getJsonObject("outputs"); // the raw states and the pooled text embedding
    assertEquals(new JsonArray().add(1).add(TOKENS.length).add(384), shape(outputs.getValue("last_hidden_state")));
    assertEquals(new JsonArray().add(1).add(384), shape(outputs.getValue("embedding")));
  }

  @Test
  void singleInputAndSingleOutputNeedNoNames() throws Exception {
    JsonArray x = new JsonArray().add(new JsonArray().add(1).add(2).add(3).add(4));
    JsonObject rows = post("/v1/models/affine_fp32:predict", new JsonObject().put("instances", x));
    JsonObject columns = post("/v1/models/affine_fp32/versions/1:predict",
        new JsonObject().put("signature_name", "serving_default").put("inputs", x));
    JsonArray expected = new JsonArray().add(new JsonArray().add(-9.75).add(28.5));
    assertEquals(flat(expected), flat(rows.getJsonArray("predictions")));
    assertEquals(flat(expected), flat(columns.getJsonArray("outputs")));
    assertEquals(new JsonArray().add(1).add(2), shape(columns.getJsonArray("outputs")));
  }

  @Test
  void multipleOutputsAreNamedPerInstanceAndPerColumn() throws Exception {
    JsonArray sixteen = row(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    JsonObject rows = post("/v1/models/simple:predict", new JsonObject().put("instances",
        new JsonArray().add(new JsonObject().put("INPUT0", sixteen).put("INPUT1", sixteen))));
    JsonObject prediction = rows.getJsonArray("predictions").getJsonObject(0);
    assertEquals(sixteen.stream().map(v -> 2 * (Long) v).toList(), prediction.getJsonArray("OUTPUT0").getList()
        .stream().map(v -> ((Number) v).longValue()).toList());
    assertEquals(16, prediction.getJsonArray("OUTPUT1").size());
  }

  @Test
  void versionStatusIsTfServingsShape() throws Exception {
    JsonObject simple = ok(node.get("/v1/models/simple"));
    assertEquals(new JsonArray().add(new JsonObject()
        .put("version", "1").put("state", "AVAILABLE")
        .put("status", new JsonObject().put("error_code", "OK").put("error_message", ""))),
        simple.getJsonArray("model_version_status"));
    // the same path is OpenAI's "retrieve model": its fields come beside TF Serving's (OpenAiModelsTest)
    assertEquals(java.util.Set.of("model_version_status", "id", "object", "created", "owned_by"), simple.fieldNames());
    JsonArray versioned = ok(node.get("/v1/models/versioned")).getJsonArray("model_version_status");
    assertEquals(List.of("2", "1"), versioned.stream().map(v -> ((JsonObject) v).getString("version")).toList());
    assertEquals(1, ok(node.get("/v1/models/versioned/versions/1")).getJsonArray("model_version_status").size());
    JsonObject broken = ok(node.get("/v1/models/broken")).getJsonArray("model_version_status").getJsonObject(0);
    assertEquals("END", broken.getString("state"));
    assertTrue(broken.getJsonObject("status").getString("error_message").contains("max_batch_size"), broken.encode());
  }

  @Test
  void metadataDescribesTheServingDefaultSignature() throws Exception {
    JsonObject meta = ok(node.get("/v1/models/affine_fp32/metadata"));
    assertEquals(new JsonObject().put("name", "affine_fp32").put("signature_name", "").put("version", "1"),
        meta.getJsonObject("model_spec"));
    JsonObject signature = meta.getJsonObject("metadata").getJsonObject("signature_def")
        .getJsonObject("signature_def").getJsonObject("serving_default");
    assertEquals("tensorflow/serving/predict", signature.getString("method_name"));
    JsonObject input = signature.getJsonObject("inputs").getJsonObject("INPUT0");
    assertEquals("DT_FLOAT", input.getString("dtype"));
    assertEquals(new JsonArray().add(new JsonObject().put("size", "-1").put("name", ""))
        .add(new JsonObject().put("size", "4").put("name", "")), input.getJsonObject("tensor_shape").getJsonArray("dim"));
    assertEquals("DT_INT64", ok(node.get("/v1/models/all-minilm-l6-v2/versions/1/metadata")).getJsonObject("metadata")
        .getJsonObject("signature_def").getJsonObject("signature_def").getJsonObject("serving_default")
        .getJsonObject("inputs").getJsonObject("input_ids").getString("dtype"));
  }

  @AfterEach
  void nodeStillServesAGoodRequest() throws Exception {
    post("/v1/models/affine_fp32:predict", new JsonObject().put("instances", new JsonArray().add(row(1, 2, 3, 4))));
  }

  static Stream<Arguments> badRequests() {
    String x = "[[1,2,3,4]]";
    String sixteen = "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]";
    return Stream.of(
        Arguments.of("malformed JSON", "POST", "/v1/models/affine_fp32:predict", "{\"instances\": [", 400, "malformed JSON"),
        Arguments.of("neither instances nor inputs", "POST", "/v1/models/affine_fp32:predict", "{}", 400,
            "needs 'instances' (row format) or 'inputs' (columnar format)"),
        Arguments.of("both instances and inputs", "POST", "/v1/models/affine_fp32:predict",
            "{\"instances\":" + x + ",\"inputs\":" + x + "}", 400, "either 'instances' or 'inputs', not both"),
        Arguments.of("empty instances", "POST", "/v1/models/affine_fp32:predict", "{\"instances\":[]}", 400,
            "'instances' must be a non-empty array"),
        Arguments.of("ragged instances", "POST", "/v1/models/affine_fp32:predict", "{\"instances\":[[1,2,3,4],[1,2]]}",
            400, "not rectangular: element [1] holds 2 elements where the others at that depth hold 4"),
        Arguments.of("too deep", "POST", "/v1/models/affine_fp32:predict",
            "{\"inputs\":" + "[".repeat(17) + "1" + "]".repeat(17) + "}", 400, "deeper than the limit of 16"),
        Arguments.of("instances naming different inputs", "POST", "/v1/models/simple:predict",
            "{\"instances\":[{\"INPUT0\":" + sixteen + ",\"INPUT1\":" + sixteen + "},{\"INPUT0\":" + sixteen + "}]}",
            400, "instances[1] names the inputs [INPUT0]"),
        Arguments.of("objects mixed with values", "POST", "/v1/models/simple:predict",
            "{\"instances\":[{\"INPUT0\":" + sixteen + "}," + sixteen + "]}", 400, "mixes objects"),
        Arguments.of("unnamed input of a two-input model", "POST", "/v1/models/simple:predict",
            "{\"instances\":[" + sixteen + "]}", 400, "model 'simple' takes 2 inputs [INPUT0, INPUT1]: name them"),
        Arguments.of("unknown input", "POST", "/v1/models/affine_fp32:predict", "{\"inputs\":{\"X\":" + x + "}}", 400,
            "unexpected input 'X': model 'affine_fp32' takes [INPUT0]"),
        Arguments.of("string in a float input", "POST", "/v1/models/affine_fp32:predict",
            "{\"inputs\":[[\"a\",2,3,4]]}", 400, "index 0 is a string, not a valid FP32 value"),
        Arguments.of("wrong inner dimension", "POST", "/v1/models/affine_fp32:predict", "{\"inputs\":[[1,2,3]]}", 400,
            "expected shape [-1, 4], got [1, 3]"),
        Arguments.of("unknown signature", "POST", "/v1/models/affine_fp32:predict",
            "{\"signature_name\":\"other\",\"inputs\":" + x + "}", 400, "unknown signature_name 'other'"),
        Arguments.of("unknown verb", "POST", "/v1/models/affine_fp32:classify", "{}", 404, "':classify' is not served"),
        Arguments.of("unknown model", "POST", "/v1/models/nope:predict", "{\"inputs\":" + x + "}", 404,
            "unknown model 'nope'"),
        Arguments.of("unknown version", "POST", "/v1/models/affine_fp32/versions/9:predict", "{\"inputs\":" + x + "}",
            404, "unknown version 9"),
        Arguments.of("version not a number", "POST", "/v1/models/affine_fp32/versions/latest:predict",
            "{\"inputs\":" + x + "}", 400, "version 'latest' is not a number"),
        Arguments.of("unavailable model", "POST", "/v1/models/broken:predict", "{\"inputs\":" + x + "}", 503, "not ready"),
        Arguments.of("status of an unknown model", "GET", "/v1/models/nope", "", 404, "unknown model 'nope'"),
        Arguments.of("status of an unknown version", "GET", "/v1/models/simple/versions/4", "", 404, "unknown version 4"),
        Arguments.of("metadata of an unknown model", "GET", "/v1/models/nope/metadata", "", 404, "unknown model 'nope'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badRequestGetsItsStatusAndTfServingsErrorBody(String what, String method, String path, String body, int status,
      String message) throws Exception {
    HttpResponse<String> r = node.send(method, path, body);
    assertEquals(status, r.statusCode(), r.body());
    JsonObject error = RunningNode.json(r);
    assertEquals(List.of("error"), List.copyOf(error.fieldNames()), "TF Serving's error shape: " + r.body());
    assertTrue(error.getString("error").contains(message), "expected '" + message + "' in " + r.body());
  }
}
