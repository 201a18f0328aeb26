package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.worker.onnx.SampleModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as {@code tensorflow_model_server}: the document's command line in a JVM of its own, its exit code
 * and what it says when it cannot serve what it was given.
 */
class TfServingCommandTest {
  private static final Duration START = Duration.ofSeconds(90);
  private static final Pattern LISTENING = Pattern.compile("and KServe V2 gRPC listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path dir;

  private ChildJvm start(String name, String... args) {
    return ChildJvm.start(name, List.of(args), Path.of(System.getProperty("maas.root")), dir.resolve(name + ".log"));
  }

  @Test
  void theDocumentsCommandServesTheDocumentsCallWithoutAKey() throws Exception {
    Path base = dir.resolve("model");
    SampleModels.writeClassifier(base);
    ChildJvm node = start("tfserving", "--port=0", "--model_name=my_model", "--model_base_path=" + base,
        "--enable_model_warmup=true", "--file_system_poll_wait_seconds=1");
    try {
      int port = Integer.parseInt(node.awaitLog(LISTENING, START).group(1));
      HttpClient http = HttpClient.newHttpClient();
      // as a TF Serving client would: the model status answers once the model is served
      HttpRequest status = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/models/my_model")).build();
      Poll.until(START, "my_model is AVAILABLE", () -> {
        try {
          return http.send(status, HttpResponse.BodyHandlers.ofString()).body().contains("AVAILABLE");
        } catch (java.io.IOException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/my_model/predict"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"images\": [[1, 299, 299, 3, 0.5]]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonArray scores = new JsonObject(r.body()).getJsonArray("scores").getJsonArray(0);
      double[] expected = SampleModels.classifierExpected(new float[] {1, 299, 299, 3, 0.5f});
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], scores.getDouble(i), 1e-6, r.body());
      }
      String log = node.logText();
      assertTrue(log.contains("API keys are off"), node.tail(40));
      assertTrue(log.contains("--enable_model_warmup is a tensorflow_model_server flag maas does not need: ignored"),
          node.tail(40));
      assertTrue(log.contains("--file_system_poll_wait_seconds=1: maas loads the models once, at start"), node.tail(40));
    } finally {
      node.terminate();
      assertTrue(node.awaitExit(Duration.ofSeconds(60)), "the node did not stop on SIGTERM");
    }
    assertTrue(node.logText().contains("stopped"), node.tail(20));
  }

  @Test
  void aBadBasePathExitsNonZeroSayingWhichPath() {
    Path missing = dir.resolve("no/such/model");
    ChildJvm node = start("bad-base-path", "--port=0", "--model_name=my_model", "--model_base_path=" + missing);
    assertRefused(node, "maas failed to start: model 'my_model': base path " + missing + " does not exist");
    assertEquals(1, node.exitValue().orElseThrow());
  }

  @Test
  void aSavedModelExitsNonZeroWithTheConversionCommand() throws Exception {
    Path base = dir.resolve("saved_model_dir");
    Files.createDirectories(base.resolve("1/variables"));
    Files.writeString(base.resolve("1/saved_model.pb"), "a TensorFlow graph");
    ChildJvm node = start("saved-model", "--port=0", "--model_name=my_model", "--model_base_path=" + base);
    assertRefused(node, "python -m tf2onnx.convert --saved-model " + base.resolve("1") + " --output "
        + base.resolve("1/model.onnx"));
  }

  @Test
  void aFlagMaasCannotHonourExitsNonZeroSayingWhatToDoInstead() {
    ChildJvm node = start("refused-flag", "--port=0", "--model_base_path=" + dir, "--platform_config_file=/etc/p.cfg");
    assertRefused(node, "--platform_config_file is not supported by maas: maas serves ONNX models with ONNX Runtime");
    assertEquals(2, node.exitValue().orElseThrow());
  }

  @Test
  void anUnreadableSslConfigFileExitsNonZeroNamingIt() {
    ChildJvm node = start("ssl-config", "--port=0", "--model_base_path=" + dir, "--ssl_config_file=/etc/no-such-ssl.cfg");
    assertRefused(node, "--ssl_config_file /etc/no-such-ssl.cfg cannot be read");
    assertEquals(2, node.exitValue().orElseThrow());
  }

  private static void assertRefused(ChildJvm node, String message) {
    assertTrue(node.awaitExit(START), "still running: " + node.tail(20));
    assertNotEquals(0, node.exitValue().orElseThrow(), node.tail(20));
    String log = node.logText();
    assertTrue(log.contains(message), node.tail(20));
    assertFalse(log.contains("\tat ") || log.contains("Exception"), "a stack trace instead of a message:\n" + node.tail(40));
  }
}
