package io.maas.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpc;
import io.maas.gateway.grpc.v2.InferTensorContents;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.maas.gateway.grpc.v2.ServerReadyRequest;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.maas.worker.onnx.SampleModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embeddable builder, the document's {@code server.Builder()} for Java: a real node (clustered Vert.x, ONNX
 * Runtime) on a free port of 127.0.0.1, called over real sockets with the document's own request.
 */
class MaasServerTest {
  private static final float[] IMAGE = {1, 299, 299, 3, 0.5f};
  private static final String SEED_BODY = "{\"images\": [[1, 299, 299, 3, 0.5]]}";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  @Test
  void servesBothLayoutsRestAndGrpcOnOnePortAndStops() throws Exception {
    Path versioned = dir.resolve("my_model");
    Path old = versioned.resolve("1/model.onnx");
    Files.createDirectories(old.getParent());
    Files.write(old, OnnxModelBuilder.identity("old", ElemType.FLOAT, -1, 5)); // not served: 2 is the latest
    SampleModels.writeClassifier(versioned.resolve("tmp"));
    Files.move(versioned.resolve("tmp/1"), versioned.resolve("2"));
    Files.delete(versioned.resolve("tmp"));
    Path flat = dir.resolve("flat");
    Files.createDirectories(flat);
    Files.write(flat.resolve("model.onnx"), SampleModels.classifier());

    int port;
    try (MaasServer server = MaasServer.builder()
        .addModel("my_model", versioned)
        .addModel("flat", flat)
        .port(0)
        .serve()) {
      port = server.port();
      assertEquals(port, server.grpcPort(), "gRPC shares the REST port");

      HttpResponse<String> predicted = post(port, "/my_model/predict", SEED_BODY);
      assertEquals(200, predicted.statusCode(), predicted.body());
      JsonArray scores = new JsonObject(predicted.body()).getJsonArray("scores");
      assertScores(SampleModels.classifierExpected(IMAGE), scores.getJsonArray(0));
      assertEquals(argmax(SampleModels.classifierExpected(IMAGE)), argmax(scores.getJsonArray(0)));

      assertEquals(List.of("2"), versions(port, "my_model"));
      assertEquals(List.of("1"), versions(port, "flat"));
      assertScores(SampleModels.classifierExpected(IMAGE),
          new JsonObject(post(port, "/flat/predict", SEED_BODY).body()).getJsonArray("scores").getJsonArray(0));

      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS);
        assertTrue(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("my_model");
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float v : IMAGE) {
          contents.addFp32Contents(v);
        }
        request.addInputsBuilder().setName("images").setDatatype("FP32").addShape(1).addShape(5).setContents(contents);
        ModelInferResponse response = grpc.modelInfer(request.build());
        assertEquals("scores", response.getOutputs(0).getName());
        assertScores(SampleModels.classifierExpected(IMAGE),
            new JsonArray(List.copyOf(response.getOutputs(0).getContents().getFp32ContentsList())));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    assertThrows(ConnectException.class, () -> post(port, "/my_model/predict", SEED_BODY), "closed: nothing listens");
  }

  @Test
  void apiKeysTurnTheTenancyOn() throws Exception {
    Path base = dir.resolve("my_model");
    SampleModels.writeClassifier(base);
    try (MaasServer server = MaasServer.builder().addModel("my_model", base).port(0).apiKeys(true)
        .set("gateway.data_dir", dir.resolve("data").toString()).serve()) {
      HttpResponse<String> refused = post(server.port(), "/my_model/predict", SEED_BODY);
      assertEquals(401, refused.statusCode(), refused.body());
      String key = Files.readString(dir.resolve("data/initial-api-key")).trim();
      HttpResponse<String> admitted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
              + "/my_model/predict")).header("Authorization", "Bearer " + key)
          .POST(HttpRequest.BodyPublishers.ofString(SEED_BODY)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, admitted.statusCode(), admitted.body());
    }
  }

  @Test
  void aMissingBasePathIsRefusedBeforeAnythingStarts() {
    Path missing = dir.resolve("nope");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MaasServer.builder().addModel("my_model", missing).port(0).serve());
    assertEquals("model 'my_model': base path " + missing.toAbsolutePath() + " does not exist", e.getMessage());
  }

  @Test
  void aSavedModelIsRefusedWithTheConversionCommand() throws IOException {
    Path base = dir.resolve("saved");
    Files.createDirectories(base.resolve("1/variables"));
    Files.writeString(base.resolve("1/saved_model.pb"), "a TensorFlow graph");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MaasServer.builder().addModel("my_model", base).port(0).serve());
    assertTrue(e.getMessage().contains("is a TensorFlow SavedModel"), e.getMessage());
    assertTrue(e.getMessage().contains("python -m tf2onnx.convert --saved-model " + base.resolve("1")), e.getMessage());
  }

  private HttpResponse<String> post(int port, String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The versions TF Serving's model status API reports AVAILABLE. */
  private List<String> versions(int port, String model) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models/" + model))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("model_version_status").stream()
        .map(JsonObject.class::cast)
        .filter(s -> s.getString("state").equals("AVAILABLE"))
        .map(s -> s.getString("version"))
        .toList();
  }

  private static void assertScores(double[] expected, JsonArray actual) {
    assertEquals(expected.length, actual.size(), actual.encode());
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], ((Number) actual.getValue(i)).doubleValue(), 1e-6, "class " + i + " of " + actual);
    }
    assertFalse(actual.isEmpty());
  }

  private static int argmax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      best = values[i] > values[best] ? i : best;
    }
    return best;
  }

  private static int argmax(JsonArray values) {
    double[] d = new double[values.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = ((Number) values.getValue(i)).doubleValue();
    }
    return argmax(d);
  }
}
