package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code POST /{model}/predict} against a real node: named nested arrays in, named nested arrays out. */
@ExtendWith(SharedNode.class)
class SimplePredictTest {
  static RunningNode node;

  @BeforeAll
  static void start(RunningNode shared) throws Exception {
    node = shared;
  }


  static JsonObject predict(String model, String body) throws Exception {
    HttpResponse<String> r = node.post("/" + model + "/predict", body);
    assertEquals(200, r.statusCode(), r.body());
    return RunningNode.json(r);
  }

  @Test
  void simpleAnswersNamedOutputsNestedToTheirShapes() throws Exception {
    JsonObject out = predict("simple", "{\"INPUT0\": [[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15],"
        + "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]], \"INPUT1\": [[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
        + "[2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]]}");
    assertEquals(new JsonArray("[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],[2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]]"),
        out.getJsonArray("OUTPUT0"));
    assertEquals(new JsonArray("[[-1,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14],[-2,-2,-2,-2,-2,-2,-2,-2,-2,-2,-2,-2,-2,-2,-2,-2]]"),
        out.getJsonArray("OUTPUT1"));
  }

  @Test
  void affineFp32EqualsV2Infer() throws Exception {
    JsonObject out = predict("affine_fp32", "{\"INPUT0\": [[1, 2, 3, 4], [0.5, 0.25, 0.125, -1]]}");
    JsonObject v2 = RunningNode.json(node.post("/v2/models/affine_fp32/infer", "{\"inputs\": [{\"name\": \"INPUT0\", "
        + "\"shape\": [2, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4, 0.5, 0.25, 0.125, -1]}]}"));
    JsonArray flat = new JsonArray();
    out.getJsonArray("OUTPUT0").forEach(r -> ((JsonArray) r).forEach(flat::add));
    assertEquals(v2.getJsonArray("outputs").getJsonObject(0).getJsonArray("data"), flat);
    assertEquals(2, out.getJsonArray("OUTPUT0").size());
  }

  @Test
  void stringsGoToBytesInputs() throws Exception {
    JsonObject out = predict("identity_string", "{\"INPUT0\": [[\"a\", \"bc\", \"Grüße\"]]}");
    assertEquals(new JsonArray("[[\"a\",\"bc\",\"Grüße\"]]"), out.getJsonArray("OUTPUT0"));
  }

  @AfterEach
  void nodeStillServesAGoodRequest() throws Exception {
    predict("affine_fp32", "{\"INPUT0\": [[1, 2, 3, 4]]}");
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("malformed JSON", "affine_fp32", "{\"INPUT0\": [[1,", 400, "malformed JSON"),
        Arguments.of("not an object", "affine_fp32", "[[1,2,3,4]]", 400, "must be a JSON object"),
        Arguments.of("no inputs", "affine_fp32", "{}", 400, "no inputs given; model 'affine_fp32' takes [INPUT0]"),
        Arguments.of("unknown input", "affine_fp32", "{\"X\": [[1,2,3,4]]}", 400, "unexpected input 'X'"),
        Arguments.of("ragged", "affine_fp32", "{\"INPUT0\": [[1,2,3,4],[1,2,3]]}", 400, "not rectangular"),
        Arguments.of("value out of range", "simple", "{\"INPUT0\": [[4294967296,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]],"
            + "\"INPUT1\": [[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]]}", 400, "out of range for INT32"),
        Arguments.of("missing input", "simple", "{\"INPUT0\": [[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]]}", 400,
            "missing input 'INPUT1'"),
        Arguments.of("unknown model", "nope", "{\"INPUT0\": [1]}", 404, "unknown model 'nope'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badRequestGetsItsStatusAndANamedError(String what, String model, String body, int status, String message)
      throws Exception {
    HttpResponse<String> r = node.post("/" + model + "/predict", body);
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(RunningNode.json(r).getString("error").contains(message), "expected '" + message + "' in " + r.body());
  }
}
