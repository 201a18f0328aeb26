package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.MaasConfig;
import io.maas.config.ModelControlConfig;
import io.maas.model.Sha256;
import io.maas.node.MaasNode;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model integrity on a real node, real ONNX models: a version whose file fails its SHA-256 (from its configuration or
 * its {@code model.onnx.sha256}) is UNAVAILABLE in the repository index with the reason, its requests get the usual
 * not-ready error, and the model's other versions serve; at start, through the repository API (a {@code config}
 * carrying digests, uploaded files), and on a placed worker. Poll mode: {@code PollModeTest}.
 */
class ModelIntegrityNodeTest {
  private static final String SIGN = """
      {"inputs": [{"name": "INPUT0", "shape": [1, 2], "datatype": "FP32", "data": [3, 4]}]}""";
  private static final byte[] IDENTITY = OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2);
  private static final byte[] NEGATION = OnnxModelBuilder.create("neg").input("INPUT0", ElemType.FLOAT, -1, 2)
      .output("OUTPUT0", ElemType.FLOAT, -1, 2).node("Neg", List.of("INPUT0"), List.of("OUTPUT0")).build();
  private static final byte[] NOT_ONNX = "not an onnx file".getBytes();
  /** A digest no file here has. */
  private static final String OTHER = "ab".repeat(32);

  @TempDir
  static Path dir;
  private static RunningNode node;

  @BeforeAll
  static void start() throws Exception {
    Path repo = dir.resolve("repo");
    writeChecked(repo);
    TestRepository.write(repo, "api", 1, IDENTITY);
    node = new RunningNode(RunningNode.config(repo, "maas-integrity-" + UUID.randomUUID()), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /**
   * {@code checked}: version 1 matches its configuration's digest, version 2 (the highest) does not match its sidecar,
   * version 3 is not even ONNX and does not match its configuration's digest.
   */
  private static void writeChecked(Path repo) throws Exception {
    TestRepository.write(repo, "checked", 1, IDENTITY);
    TestRepository.write(repo, "checked", 2, NEGATION);
    TestRepository.write(repo, "checked", 3, NOT_ONNX);
    Files.writeString(repo.resolve("checked/2/model.onnx.sha256"), OTHER + "  model.onnx\n");
    Files.writeString(repo.resolve("checked/config.yaml"), "version_policy: {all: {}}\n"
        + "sha256: {\"1\": \"" + Sha256.hex(IDENTITY) + "\", \"3\": \"" + OTHER + "\"}\n");
  }

  @Test
  void aVersionFailingItsCheckAtStartIsUnavailableWithTheReasonAndTheOtherVersionsServe() throws Exception {
    assertChecked(node);
    JsonObject config = RunningNode.json(node.get("/v2/models/checked/versions/1/config"));
    assertEquals(new JsonObject().put("1", Sha256.hex(IDENTITY)), config.getJsonObject("sha256"),
        "the served configuration shows the digest the file was checked against: " + config);
    assertFalse(RunningNode.json(node.get("/v2/models/api/config")).containsKey("sha256"), "none where none was stated");
  }

  /** What {@link #writeChecked} gives on a node: the index, the requests, the versions that serve. */
  private static void assertChecked(RunningNode n) throws Exception {
    String version2 = "SHA-256 mismatch: 2/model.onnx is " + Sha256.hex(NEGATION) + ", expected " + OTHER
        + " (2/model.onnx.sha256): not loaded";
    String version3 = "SHA-256 mismatch: 3/model.onnx is " + Sha256.hex(NOT_ONNX) + ", expected " + OTHER
        + " (the configuration's sha256 of version 3): not loaded";
    assertEquals(version2, unavailable(n, "checked", "2"));
    assertEquals(version3, unavailable(n, "checked", "3"), "the digest's reason, not ONNX Runtime's: it never saw it");
    HttpResponse<String> refused = n.post("/v2/models/checked/versions/2/infer", SIGN);
    assertEquals(503, refused.statusCode(), refused.body());
    assertEquals("model 'checked' version 2 is not ready: it is unavailable: " + version2,
        RunningNode.json(refused).getString("error"));
    HttpResponse<String> served = n.post("/v2/models/checked/infer", SIGN);
    assertEquals(200, served.statusCode(), served.body());
    assertEquals("1", RunningNode.json(served).getString("model_version"), "the version that matched serves");
    assertEquals(3f, first(served));
  }

  @Test
  void theRepositoryApisConfigCarriesDigestsEveryLoadIsCheckedAndAMalformedOneIsRefused() throws Exception {
    String good = "{\"parameters\": {\"config\": {\"sha256\": {\"1\": \"" + Sha256.hex(IDENTITY) + "\"}}}}";
    String bad = "{\"parameters\": {\"config\": {\"sha256\": {\"1\": \"" + OTHER + "\"}}}}";
    String reason = "SHA-256 mismatch: 1/model.onnx is " + Sha256.hex(IDENTITY) + ", expected " + OTHER
        + " (the configuration's sha256 of version 1): not loaded";
    try {
      assertEquals(200, control("api", "load", good).statusCode());
      assertEquals(Sha256.hex(IDENTITY), RunningNode.json(node.get("/v2/models/api/config")).getJsonObject("sha256")
          .getString("1"));

      HttpResponse<String> reload = control("api", "load", bad);
      assertEquals(400, reload.statusCode(), reload.body());
      assertTrue(reload.body().contains(reason), reload.body());
      assertEquals(200, node.post("/v2/models/api/infer", SIGN).statusCode(), "a failed update: the one before serves");

      assertEquals(200, control("api", "unload", "").statusCode());
      HttpResponse<String> load = control("api", "load", bad);
      assertEquals(400, load.statusCode(), load.body());
      assertTrue(load.body().contains(reason), load.body());
      assertEquals(reason, unavailable(node, "api", "1"));
      HttpResponse<String> refused = node.post("/v2/models/api/infer", SIGN);
      assertEquals(503, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains(reason), refused.body());

      HttpResponse<String> malformed = control("api", "load", "{\"parameters\": {\"config\": {\"sha256\": {\"1\": \"abc\"}}}}");
      assertEquals(400, malformed.statusCode(), malformed.body());
      assertTrue(malformed.body().contains("sha256 of version 1: 'abc' is not a SHA-256 digest (64 hex digits)"),
          malformed.body());
    } finally {
      assertEquals(200, control("api", "load", "").statusCode(), "its own configuration again: no digest");
    }
    assertEquals(200, node.post("/v2/models/api/infer", SIGN).statusCode());
  }

  @Test
  void uploadedFilesAreCheckedBeforeTheyLoadAgainstTheConfigOrAnUploadedSidecar() throws Exception {
    HttpResponse<String> bad = control("uploaded", "load", upload("{\"sha256\": {\"1\": \"" + OTHER + "\"}}", null));
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("SHA-256 mismatch: 1/model.onnx is " + Sha256.hex(IDENTITY) + ", expected " + OTHER
        + " (the configuration's sha256 of version 1): not loaded", unavailable(node, "uploaded", "1"));

    HttpResponse<String> good = control("uploaded", "load", upload("{}", Sha256.hex(IDENTITY) + "  model.onnx\n"));
    assertEquals(200, good.statusCode(), good.body());
    assertEquals(3f, first(node.post("/v2/models/uploaded/infer", SIGN)));
    assertEquals(Sha256.hex(IDENTITY), RunningNode.json(node.get("/v2/models/uploaded/config")).getJsonObject("sha256")
        .getString("1"), "checked against the uploaded sidecar");
    assertEquals(200, control("uploaded", "unload", "").statusCode());
  }

  @Test
  void aPlacedWorkerChecksTheVersionsItIsAssignedAndARequestWaitingForOneThatFailsGetsTheReason() throws Exception {
    Path repo = dir.resolve("placed");
    writeChecked(repo);
    MaasConfig c = RunningNode.config(repo, "maas-integrity-placed-" + UUID.randomUUID());
    try (RunningNode placed = new RunningNode(new MaasConfig(c.gateway(), c.worker().withControl(
        new ModelControlConfig(ModelControlConfig.Mode.PLACED, List.of(), 15)), c.cluster()), MaasNode.Mode.STANDALONE)) {
      placed.awaitReady(Duration.ofSeconds(60));
      for (String version : List.of("2", "3")) { // loaded on demand: the request waits for the load, which fails
        HttpResponse<String> r = placed.post("/v2/models/checked/versions/" + version + "/infer", SIGN);
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("SHA-256 mismatch: " + version + "/model.onnx"), r.body());
      }
      HttpResponse<String> served = placed.post("/v2/models/checked/versions/1/infer", SIGN);
      assertEquals(200, served.statusCode(), served.body());
      assertChecked(placed);
    }
  }

  /** A load uploading {@link #IDENTITY} as version 1, with a configuration and, unless null, a sidecar. */
  private static String upload(String config, String sidecar) {
    JsonObject parameters = new JsonObject().put("config", config)
        .put("file:1/model.onnx", Base64.getEncoder().encodeToString(IDENTITY));
    if (sidecar != null) {
      parameters.put("file:1/model.onnx.sha256", Base64.getEncoder().encodeToString(sidecar.getBytes()));
    }
    return new JsonObject().put("parameters", parameters).encode();
  }

  private static HttpResponse<String> control(String model, String op, String body) throws Exception {
    return node.post("/v2/repository/models/" + model + "/" + op, body);
  }

  /** Asserts the index lists the version UNAVAILABLE, and gives its reason. */
  private static String unavailable(RunningNode n, String model, String version) throws Exception {
    JsonArray index = new JsonArray(n.post("/v2/repository/index", "").body());
    JsonObject entry = index.stream().map(JsonObject.class::cast)
        .filter(e -> model.equals(e.getString("name")) && version.equals(e.getString("version"))).findFirst()
        .orElseThrow(() -> new AssertionError(model + " version " + version + " is not in the index: " + index));
    assertEquals("UNAVAILABLE", entry.getString("state"), entry.encode());
    return entry.getString("reason");
  }

  private static float first(HttpResponse<String> r) {
    return RunningNode.json(r).getJsonArray("outputs").getJsonObject(0).getJsonArray("data").getFloat(0);
  }
}
