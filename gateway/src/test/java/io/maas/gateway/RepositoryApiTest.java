package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.node.MaasNode;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository API on a real node (keys off; the admin-token rule is in ApiKeyEdgesTest): unload and load
 * again while serving, a configuration given with the load, an update of the model's files under traffic with
 * no failed request, and a clear 4xx for every bad call.
 */
class RepositoryApiTest {
  private static final String SIGN = """
      {"inputs": [{"name": "INPUT0", "shape": [1, 2], "datatype": "FP32", "data": [3, 4]}]}""";

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static Path repo;

  @BeforeAll
  static void start() throws Exception {
    repo = TestRepository.create(dir.resolve("repo"));
    TestRepository.write(repo, "sign", 1, OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    node = new RunningNode(RunningNode.config(repo, "maas-repo-" + UUID.randomUUID()), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<String> control(String model, String op, String body) throws Exception {
    return node.post("/v2/repository/models/" + model + "/" + op, body);
  }

  private static JsonObject indexEntry(String model) throws Exception {
    JsonArray index = new JsonArray(node.post("/v2/repository/index", "").body());
    return index.stream().map(JsonObject.class::cast).filter(e -> model.equals(e.getString("name"))).findFirst()
        .orElseThrow();
  }

  private static float first(HttpResponse<String> r) {
    return RunningNode.json(r).getJsonArray("outputs").getJsonObject(0).getJsonArray("data").getFloat(0);
  }

  @Test
  void anUnloadedModelAnswers503AndServesAgainAtOnceWhenLoaded() throws Exception {
    assertEquals(200, control("sign", "unload", "").statusCode());
    JsonObject unloaded = indexEntry("sign");
    assertEquals("UNAVAILABLE", unloaded.getString("state"));
    assertEquals("unloaded", unloaded.getString("reason"));
    JsonObject onWorker = unloaded.getJsonArray("workers").getJsonObject(0);
    assertEquals("UNAVAILABLE", onWorker.getString("state"), "each worker's state: " + unloaded);
    assertEquals("unloaded", onWorker.getString("reason"));
    assertTrue(onWorker.getString("worker_id").endsWith("-cpu-0"), onWorker.encode());
    HttpResponse<String> refused = node.post("/v2/models/sign/infer", SIGN);
    assertEquals(503, refused.statusCode(), refused.body());

    HttpResponse<String> load = control("sign", "load", "");
    assertEquals(200, load.statusCode(), load.body());
    assertEquals("", load.body(), "Triton's answer: 200, no body");
    HttpResponse<String> served = node.post("/v2/models/sign/infer", SIGN);
    assertEquals(200, served.statusCode(), "served as soon as the load answered: " + served.body());
    assertEquals("READY", indexEntry("sign").getString("state"));
  }

  @Test
  void aConfigurationGivenWithTheLoadReplacesTheModelsOwn() throws Exception {
    int own = RunningNode.json(node.get("/v2/models/affine_fp32/config")).getInteger("max_batch_size");
    assertTrue(own != 3, "the test needs a model whose own max_batch_size is not 3");
    HttpResponse<String> load = control("affine_fp32", "load",
        "{\"parameters\": {\"config\": \"{\\\"max_batch_size\\\": 3}\"}}");
    assertEquals(200, load.statusCode(), load.body());
    assertEquals(3, RunningNode.json(node.get("/v2/models/affine_fp32/config")).getInteger("max_batch_size"));
    assertEquals(200, control("affine_fp32", "load", "").statusCode(), "loaded again from its own file");
    assertEquals(own, RunningNode.json(node.get("/v2/models/affine_fp32/config")).getInteger("max_batch_size"));
  }

  @Test
  void changedFilesLoadedUnderTrafficSwapWithoutAFailedRequest() throws Exception {
    TestRepository.write(repo, "swap", 1, OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    assertEquals(200, control("swap", "load", "").statusCode());
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<List<HttpResponse<String>>>> answers = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      answers.add(clients.submit(() -> {
        List<HttpResponse<String>> got = new ArrayList<>();
        while (!stop.get()) {
          got.add(node.post("/v2/models/swap/infer", SIGN));
        }
        return got;
      }));
    }
    try {
      for (int update = 0; update < 4; update++) {
        byte[] model = update % 2 == 0
            ? OnnxModelBuilder.create("neg").input("INPUT0", ElemType.FLOAT, -1, 2).output("OUTPUT0", ElemType.FLOAT, -1, 2)
                .node("Neg", List.of("INPUT0"), List.of("OUTPUT0")).build()
            : OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2);
        Files.write(repo.resolve("swap/1/model.onnx"), model);
        HttpResponse<String> load = control("swap", "load", "");
        assertEquals(200, load.statusCode(), load.body());
        float expected = update % 2 == 0 ? -3f : 3f;
        assertEquals(expected, first(node.post("/v2/models/swap/infer", SIGN)), "only the new model after the switch");
      }
    } finally {
      stop.set(true);
      clients.shutdown();
    }
    int total = 0;
    for (Future<List<HttpResponse<String>>> f : answers) {
      for (HttpResponse<String> r : f.get()) {
        total++;
        assertEquals(200, r.statusCode(), r.body());
        float out = first(r);
        assertTrue(out == 3f || out == -3f, "every answer from the old or the new model: " + out);
      }
    }
    assertTrue(total > 0, "traffic ran during the updates");
  }

  @Test
  void aModelUploadedWithTheLoadIsServedAndItsFilesReachTheRepository() throws Exception {
    byte[] onnx = OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2);
    String body = new JsonObject().put("parameters", new JsonObject().put("config", "{}")
        .put("file:1/model.onnx", Base64.getEncoder().encodeToString(onnx))).encode();
    HttpResponse<String> load = control("uploaded", "load", body);
    assertEquals(200, load.statusCode(), load.body());
    assertEquals(3f, first(node.post("/v2/models/uploaded/infer", SIGN)));
    assertArrayEquals(onnx, Files.readAllBytes(repo.resolve("uploaded/1/model.onnx")));

    assertEquals(400, control("uploaded", "load", new JsonObject().put("parameters", new JsonObject()
        .put("file:1/model.onnx", Base64.getEncoder().encodeToString(onnx))).encode()).statusCode(), "files need a config");
    assertEquals(400, control("uploaded", "load", "{\"parameters\": {\"config\": \"{}\", \"file:../x\": \"AAAA\"}}")
        .statusCode(), "a path out of the model's directory");
    assertEquals(400, control("uploaded", "load", "{\"parameters\": {\"config\": \"{}\", \"file:1/model.onnx\": \"%%%\"}}")
        .statusCode(), "not base64");
    String tooLarge = "{\"parameters\": {\"config\": \"{}\", \"file:1/model.onnx\": \""
        + "A".repeat((int) RunningNode.MAX_BODY_BYTES) + "\"}}";
    assertEquals(413, control("uploaded", "load", tooLarge).statusCode(), "over gateway.max_body_bytes");
  }

  @Test
  void aConfigurationContradictingTheModelFailsNamingWhyAndTheLoadedModelKeepsServing() throws Exception {
    HttpResponse<String> load = control("affine_fp32", "load", new JsonObject().put("parameters", new JsonObject()
        .put("config", "{\"input\": [{\"name\": \"NOPE\", \"data_type\": \"TYPE_FP32\", \"dims\": [4]}]}")).encode());
    assertEquals(400, load.statusCode(), load.body());
    assertTrue(load.body().contains("'NOPE' is not in the model"), load.body());
    assertEquals(200, node.post("/v2/models/affine_fp32/infer",
        "{\"inputs\": [{\"name\": \"INPUT0\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}")
        .statusCode(), "the version loaded before keeps serving");
  }

  @Test
  void badCallsGetAClear4xx() throws Exception {
    HttpResponse<String> unknown = control("no_such_model", "load", "");
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("no worker's repository holds it"), unknown.body());
    assertEquals(400, control("..%2F..%2Fetc", "load", "").statusCode());
    assertEquals(404, control("no_such_model", "unload", "").statusCode());
    assertEquals(400, control("simple", "load", "{\"parameters\": ").statusCode(), "malformed JSON");
    assertEquals(400, control("simple", "load", "{\"parameters\": [1]}").statusCode());
    assertEquals(400, control("simple", "load", "{\"parameters\": {\"config\": \"{bad\"}}").statusCode());
    assertEquals(400, control("simple", "load", "{\"parameters\": {\"colour\": \"blue\"}}").statusCode());
  }
}
