package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every client mistake gets its status, its code in X-Maas-Error-Code and a KServe error body (exactly
 * {@code {"error": "..."}}) that names the problem, never a 500,
 * and the node goes on serving: after each bad request a good one must still succeed.
 */
@ExtendWith(SharedNode.class)
class RestErrorsTest {
  static RunningNode node;

  static final String GOOD = simpleBody("[1,16]", "INT32", "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]");

  @BeforeAll
  static void start(RunningNode shared) throws Exception {
    node = shared;
  }


  @AfterEach
  void nodeStillServesAGoodRequest() throws Exception {
    HttpResponse<String> r = node.post("/v2/models/simple/infer", GOOD);
    assertEquals(200, r.statusCode(), r.body());
  }

  static String simpleBody(String shape, String datatype, String data) {
    return "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":" + shape + ",\"datatype\":\"" + datatype + "\",\"data\":" + data
        + "},{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}]}";
  }

  static Stream<Arguments> badInferRequests() {
    String sixteen = "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]";
    return Stream.of(
        Arguments.of("malformed JSON", "simple", "{\"inputs\": [", 400, "malformed JSON"),
        Arguments.of("empty body", "simple", "", 400, "empty"),
        Arguments.of("body not an object", "simple", "[1,2]", 400, "JSON object"),
        Arguments.of("inputs not an array", "simple", "{\"inputs\": 5}", 400, "'inputs' must be an array"),
        Arguments.of("wrong shape", "simple", simpleBody("[1,15]", "INT32", "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]"),
            400, "input 'INPUT0': expected shape [-1, 16], got [1, 15]"),
        Arguments.of("wrong datatype", "simple", simpleBody("[1,16]", "FP32", sixteen),
            400, "input 'INPUT0': expected datatype INT32, got FP32"),
        Arguments.of("unknown datatype", "simple", simpleBody("[1,16]", "INT128", sixteen), 400, "INT128"),
        Arguments.of("data count differs from shape", "simple", simpleBody("[1,16]", "INT32", "[1,2,3]"),
            400, "needs 16 values, got 3"),
        Arguments.of("string in INT32 data", "simple",
            simpleBody("[1,16]", "INT32", "[\"a\",1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]"), 400, "index 0 is a string"),
        Arguments.of("value out of INT32 range", "simple",
            simpleBody("[1,16]", "INT32", "[4294967296,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]"), 400, "out of range for INT32"),
        Arguments.of("fraction in INT32 data", "simple",
            simpleBody("[1,16]", "INT32", "[0.5,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]"), 400, "not an integer"),
        Arguments.of("negative dimension", "simple", simpleBody("[-1,16]", "INT32", sixteen), 400, "non-negative"),
        Arguments.of("batch over max_batch_size", "simple",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[9,16],\"datatype\":\"INT32\",\"data\":" + zeros(144)
                + "},{\"name\":\"INPUT1\",\"shape\":[9,16],\"datatype\":\"INT32\",\"data\":" + zeros(144) + "}]}",
            400, "batch size 9 is outside 1..8"),
        Arguments.of("missing input", "simple",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":" + sixteen + "}]}",
            400, "missing input 'INPUT1'"),
        Arguments.of("unknown input", "affine_fp32",
            "{\"inputs\":[{\"name\":\"X\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}", 400, "unexpected input 'X'"),
        Arguments.of("unknown requested output", "affine_fp32",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],"
                + "\"outputs\":[{\"name\":\"NOPE\"}]}", 400, "unknown output 'NOPE'"),
        Arguments.of("token id past the vocabulary", "all-minilm-l6-v2",
            "{\"inputs\":[{\"name\":\"input_ids\",\"shape\":[1,2],\"datatype\":\"INT64\",\"data\":[101,99999999]},"
                + "{\"name\":\"attention_mask\",\"shape\":[1,2],\"datatype\":\"INT64\",\"data\":[1,1]},"
                + "{\"name\":\"token_type_ids\",\"shape\":[1,2],\"datatype\":\"INT64\",\"data\":[0,0]}]}",
            400, "indices element out of data bounds"),
        Arguments.of("ragged data: a value beside the arrays", "affine_fp32",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[[1,2,3,4],5,6,7,8]}]}",
            400, "input 'INPUT0': ragged data"),
        Arguments.of("ragged data: arrays of other lengths", "affine_fp32",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[[1,2,3],[4,5,6,7,8]]}]}",
            400, "has an array of 3 values at depth 2 where its shape [2, 4] has 4"),
        Arguments.of("data nested deeper than the shape", "affine_fp32",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[[[1,2,3,4],[5,6,7,8]]]}]}",
            400, "nested deeper than its shape [2, 4]"),
        Arguments.of("an integer out of every range", "simple",
            simpleBody("[1,16]", "INT32", "[1e400,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]"), 400, "value Infinity at index 0"),
        Arguments.of("a float out of every range", "affine_fp32",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,-1e400,4]}]}",
            400, "input 'INPUT0': value -Infinity at index 2 is out of range for FP32"),
        Arguments.of("unknown model", "nope", GOOD, 404, "unknown model 'nope'"),
        Arguments.of("unavailable model", "broken", "{\"inputs\":[]}", 503, "not ready"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInferRequests")
  void badInferRequestGetsItsStatusAndANamedError(String what, String model, String body, int status, String message)
      throws Exception {
    HttpResponse<String> r = node.post("/v2/models/" + model + "/infer", body);
    assertEquals(status, r.statusCode(), r.body());
    JsonObject error = RunningNode.json(r);
    assertTrue(error.getString("error").contains(message), "expected '" + message + "' in " + r.body());
    assertEquals(Set.of("error"), error.fieldNames(), "KServe's error body is exactly {\"error\": ...}: " + r.body());
    assertEquals(switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 404 -> "NOT_FOUND";
      default -> "UNAVAILABLE";
    }, r.headers().firstValue("X-Maas-Error-Code").orElse(""));
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    if (status == 503) {
      assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
    }
  }

  @Test
  void unknownVersionIsNotFound() throws Exception {
    HttpResponse<String> r = node.post("/v2/models/simple/versions/7/infer", GOOD);
    assertEquals(404, r.statusCode(), r.body());
    assertTrue(RunningNode.json(r).getString("error").contains("unknown version 7"), r.body());
    assertEquals(404, node.get("/v2/models/simple/versions/7").statusCode());
    assertEquals(404, node.get("/v2/models/nope/ready").statusCode());
  }

  @Test
  void aVersionNeitherANumberNorALabelIsABadRequest() throws Exception {
    HttpResponse<String> r = node.post("/v2/models/simple/versions/1.5/infer", GOOD);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(RunningNode.json(r).getString("error").contains("neither a version number nor a version label"),
        r.body());
  }

  @Test
  void aVersionLabelTheModelDoesNotHaveIsNotFound() throws Exception {
    HttpResponse<String> r = node.post("/v2/models/simple/versions/latest/infer", GOOD);
    assertEquals(404, r.statusCode(), r.body());
    assertTrue(RunningNode.json(r).getString("error").contains("unknown version label 'latest' of model 'simple'"),
        r.body());
  }

  @Test
  void wrongMethodIs405() throws Exception {
    HttpResponse<String> r = node.send("PUT", "/v2/models/simple/infer", GOOD);
    assertEquals(405, r.statusCode(), r.body());
    assertTrue(RunningNode.json(r).getString("error").contains("PUT"), r.body());
    assertEquals(405, node.send("DELETE", "/v2/health/ready", "").statusCode());
  }

  @Test
  void unknownEndpointIs404WithAJsonError() throws Exception {
    HttpResponse<String> r = node.get("/v2/nothing/here");
    assertEquals(404, r.statusCode());
    assertTrue(RunningNode.json(r).getString("error").contains("/v2/nothing/here"), r.body());
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String big = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":["
        + "0,".repeat((int) RunningNode.MAX_BODY_BYTES) + "0]}]}";
    HttpResponse<String> r = node.post("/v2/models/simple/infer", big);
    assertEquals(413, r.statusCode(), r.body().length() > 200 ? r.body().substring(0, 200) : r.body());
    assertEquals("PAYLOAD_TOO_LARGE", r.headers().firstValue("X-Maas-Error-Code").orElse(""));
  }

  static String zeros(int n) {
    return "[" + "0,".repeat(n - 1) + "0]";
  }

  /** What a raw HTTP/1.1 exchange answers: its status line and body (for requests a Java client will not send). */
  private static String raw(String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket(node.uri("/").getHost(), node.uri("/").getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void aPathWhoseEscapeDoesNotDecodeIs400() throws Exception {
    for (String line : new String[] {"GET /v2/models/%%/config", "POST /%/predict"}) {
      String answer = raw(line + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
      assertTrue(answer.startsWith("HTTP/1.1 400"), line + ": " + answer);
      assertTrue(answer.contains("malformed %-escape"), answer);
    }
  }

  @Test
  void anUnknownExpectationIs400() throws Exception {
    String answer = raw("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nExpect: 999-nope\r\n"
        + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    assertTrue(answer.contains("unsupported Expect header: 999-nope"), answer);
  }

  /** curl -d sends any body as a form; every API reads it as JSON all the same, however long it is. */
  @Test
  void aJsonBodySentAsAFormIsReadAsJson() throws Exception {
    String padded = GOOD.substring(0, GOOD.length() - 1) + ",\"parameters\":{\"pad\":\"" + "x".repeat(4000) + "\"}}";
    for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
      HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
              node.uri("/v2/models/simple/infer")).header("Content-Type", type)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(padded)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), type + ": " + r.body());
    }
  }
}
