package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.MaasConfig;
import io.maas.config.ModelControlConfig;
import io.maas.model.Sha256;
import io.maas.node.MaasNode;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poll mode on a real node: a model put in the repository loads, one whose files change reloads under traffic with
 * no failed request, one removed
 * unloads, each within a few polls and with no restart; one whose file fails its SHA-256 check stays UNAVAILABLE
 * with the reason until it is fixed; the repository API's load and unload are refused with a message naming the mode.
 */
class PollModeTest {
  private static final String BODY = """
      {"inputs": [{"name": "INPUT0", "shape": [1, 2], "datatype": "FP32", "data": [3, 4]}]}""";

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static Path repo;

  @BeforeAll
  static void start() throws Exception {
    repo = TestRepository.create(dir.resolve("repo"));
    MaasConfig c = RunningNode.config(repo, "maas-poll-" + UUID.randomUUID());
    node = new RunningNode(new MaasConfig(c.gateway(), c.worker().withControl(
        new ModelControlConfig(ModelControlConfig.Mode.POLL, List.of(), 1)), c.cluster()), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void modelsAddedChangedAndRemovedInTheRepositoryLoadReloadAndUnload() throws Exception {
    TestRepository.write(repo, "polled", 1, OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    awaitAnswer(() -> output(), 3f, "a new model loads");

    // the files change under traffic: each answer comes from the old model or the new one, none fails
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<List<Float>>> answers = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      answers.add(clients.submit(() -> {
        List<Float> got = new ArrayList<>();
        while (!stop.get()) {
          got.add(output());
        }
        return got;
      }));
    }
    try {
      Files.write(repo.resolve("polled/1/model.onnx"), OnnxModelBuilder.create("neg").input("INPUT0", ElemType.FLOAT, -1, 2)
          .output("OUTPUT0", ElemType.FLOAT, -1, 2).node("Neg", List.of("INPUT0"), List.of("OUTPUT0")).build());
      awaitAnswer(() -> output(), -3f, "changed files reload");
    } finally {
      stop.set(true);
      clients.shutdown();
    }
    int total = 0;
    for (Future<List<Float>> f : answers) {
      for (Float out : f.get()) {
        total++;
        assertTrue(out != null && (out == 3f || out == -3f), "every answer from the old or the new model: " + out);
      }
    }
    assertTrue(total > 0, "traffic ran during the reload");

    try (Stream<Path> files = Files.walk(repo.resolve("polled"))) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int status = 200;
    while (status == 200 && System.nanoTime() < deadline) {
      status = node.post("/v2/models/polled/infer", BODY).statusCode();
    }
    assertEquals(503, status, "a removed model unloads");
  }

  @Test
  void aVersionFailingItsSha256StaysUnavailableWithTheReasonUntilItsSidecarIsFixed() throws Exception {
    byte[] identity = OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2);
    String other = "ab".repeat(32);
    // the model appears whole (a directory moved in), so that no poll sees its file without its sidecar
    Path staged = dir.resolve("staged/checked_polled");
    TestRepository.write(dir.resolve("staged"), "checked_polled", 1, identity);
    Files.writeString(staged.resolve("1/model.onnx.sha256"), other + "  model.onnx\n");
    Files.move(staged, repo.resolve("checked_polled"), StandardCopyOption.ATOMIC_MOVE);
    String reason = "it is unavailable: SHA-256 mismatch: 1/model.onnx is " + Sha256.hex(identity) + ", expected "
        + other + " (1/model.onnx.sha256): not loaded";
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String seen = "";
    while (!seen.equals(reason) && System.nanoTime() < deadline) {
      seen = RunningNode.json(node.get("/v2/models/checked_polled/versions/1/ready")).getString("reason", "");
    }
    assertEquals(reason, seen, "the new version is UNAVAILABLE with the reason");

    Files.writeString(repo.resolve("checked_polled/1/model.onnx.sha256"), Sha256.hex(identity) + "\n");
    awaitAnswer(() -> output("checked_polled"), 3f, "a fixed sidecar is a change: the version loads");
  }

  @Test
  void theRepositoryApiIsRefusedNamingTheMode() throws Exception {
    HttpResponse<String> r = node.post("/v2/repository/models/simple/unload", "");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("poll mode"), r.body());
    assertEquals(200, node.get("/v2/models/simple/ready").statusCode(), "nothing changed");
  }

  private static Float output() {
    return output("polled");
  }

  private static Float output(String model) {
    try {
      HttpResponse<String> r = node.post("/v2/models/" + model + "/infer", BODY);
      return r.statusCode() != 200 ? null
          : RunningNode.json(r).getJsonArray("outputs").getJsonObject(0).getJsonArray("data").getFloat(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitAnswer(Supplier<Float> answer, float expected, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Float last = null;
    while (System.nanoTime() < deadline) {
      last = answer.get();
      if (last != null && last == expected) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError(what + ": last answer " + last);
  }
}
