package io.maas.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each API answers errors in its own format, on a real node: every KServe V2 route (the repository and statistics
 * extensions included, and paths no route takes) exactly {@code {"error": "..."}}, TF Serving's routes the same,
 * OpenAI's paths OpenAI's error object, maas's own APIs {@code {"error", "code"}}; and every error response carries
 * its code in {@code X-Maas-Error-Code}.
 */
@ExtendWith(SharedNode.class)
class ErrorFormatsTest {
  private static final String HEADER = "X-Maas-Error-Code";
  private static RunningNode node;

  @BeforeAll
  static void start(RunningNode shared) {
    node = shared;
  }

  static Stream<Arguments> kserveErrors() {
    return Stream.of(
        Arguments.of("GET", "/v2/models/nope", "", 404, "NOT_FOUND"),
        Arguments.of("GET", "/v2/models/nope/versions/1", "", 404, "NOT_FOUND"),
        Arguments.of("GET", "/v2/models/nope/ready", "", 404, "NOT_FOUND"),
        Arguments.of("GET", "/v2/models/nope/config", "", 404, "NOT_FOUND"),
        Arguments.of("GET", "/v2/models/nope/stats", "", 404, "NOT_FOUND"),
        Arguments.of("GET", "/v2/models/simple/versions/9/stats", "", 404, "NOT_FOUND"),
        Arguments.of("POST", "/v2/models/nope/infer", "{}", 404, "NOT_FOUND"),
        Arguments.of("POST", "/v2/models/simple/infer", "{\"inputs\": [", 400, "INVALID_ARGUMENT"),
        Arguments.of("POST", "/v2/models/simple/versions/1.5/infer", "{}", 400, "INVALID_ARGUMENT"),
        Arguments.of("POST", "/v2/repository/index", "{\"ready\": 3}", 400, "INVALID_ARGUMENT"),
        Arguments.of("POST", "/v2/repository/models/simple/load", "{\"parameters\": [", 400, "INVALID_ARGUMENT"),
        Arguments.of("GET", "/v2/no/such/endpoint", "", 404, "NOT_FOUND"),
        Arguments.of("DELETE", "/v2/models/simple", "", 405, "METHOD_NOT_ALLOWED"),
        Arguments.of("GET", "/v2/models/%zz/infer", "", 400, "INVALID_ARGUMENT"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("kserveErrors")
  void kserveRoutesAnswerExactlyTheErrorField(String method, String path, String body, int status, String code)
      throws Exception {
    Answer r = send(node.node.httpPort(), method, path, body);
    assertError(r, status, code);
    assertEquals(Set.of("error"), r.json().fieldNames(), r.body());
  }

  @Test
  void tfServingRoutesAnswerTfServingsErrorField() throws Exception {
    Answer status = send(node.node.httpPort(), "GET", "/v1/models/nope", "");
    assertError(status, 404, "NOT_FOUND");
    assertEquals(new JsonObject().put("error", "unknown model 'nope'"), status.json());
    Answer predict = send(node.node.httpPort(), "POST", "/v1/models/simple:predict", "{\"instances\": [[1, 2]]}");
    assertError(predict, 400, "INVALID_ARGUMENT");
    assertEquals(Set.of("error"), predict.json().fieldNames(), predict.body());
  }

  @Test
  void openAiPathsAnswerOpenAisErrorObject() throws Exception {
    Answer r = send(node.node.httpPort(), "POST", "/v1/embeddings", "{\"model\": \"nope\", \"input\": \"hi\"}");
    assertError(r, 404, "NOT_FOUND");
    JsonObject error = r.json().getJsonObject("error");
    assertEquals(Set.of("message", "type", "param", "code"), error.fieldNames(), r.body());
    assertEquals("model_not_found", error.getString("code"));
    assertEquals("invalid_request_error", error.getString("type"));
  }

  @Test
  void maasOwnApisKeepTheCodeInTheBodyToo() throws Exception {
    for (String[] call : new String[][] {{"POST", "/nope/predict", "{}"}, {"GET", "/no/such/endpoint", ""},
        {"GET", "/%zz/predict", ""}}) {
      Answer r = send(node.node.httpPort(), call[0], call[1], call[2]);
      String code = r.headers().getOrDefault(HEADER, "");
      assertTrue(r.status() >= 400 && r.status() < 500, r.status() + " " + r.body());
      assertEquals(code, r.json().getString("code"), call[1] + ": " + r.body());
      assertEquals(Set.of("error", "code"), r.json().fieldNames(), r.body());
    }
  }

  @Test
  void theMetricsPortAnswersAnyOtherPathInMaasOwnFormat() throws Exception {
    Answer r = send(node.node.metricsPort(), "GET", "/nothing", "");
    assertError(r, 404, "NOT_FOUND");
    assertEquals("NOT_FOUND", r.json().getString("code"));
  }

  private static void assertError(Answer r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.headers().getOrDefault(HEADER, ""), r.headers().toString());
    assertEquals("application/json", r.headers().get("Content-Type"));
  }

  /** An answer: its status, headers (case-insensitive) and body. */
  private record Answer(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** One HTTP/1.1 exchange on a socket of its own: a path the JDK's client would refuse (a bad %-escape) goes too. */
  private static Answer send(int port, String method, String path, String body) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      byte[] content = body.getBytes(StandardCharsets.UTF_8);
      s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(content);
      String[] parts = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\r\n\r\n", 2);
      String[] head = parts[0].split("\r\n");
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < head.length; i++) {
        int colon = head[i].indexOf(':');
        headers.put(head[i].substring(0, colon).trim(), head[i].substring(colon + 1).trim());
      }
      return new Answer(Integer.parseInt(head[0].split(" ")[1]), headers, parts.length > 1 ? parts[1] : "");
    }
  }
}
