package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The repository API on real processes: a model updated five times under closed-loop load on 1 gateway + 2
 * workers fails no request and answers from the old or the new model only, the new one alone after each switch;
 * and a change made through the API is cluster state that a worker joining later, and every process restarted,
 * applies, uploaded model files included.
 */
@Tag("cluster")
class RepositoryClusterTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  private static final String FLIP = "/v2/models/flip/infer";
  private static final String FLIP_BODY = """
      {"inputs": [{"name": "INPUT0", "shape": [1, 2], "datatype": "FP32", "data": [3, 4]}]}""";
  private static final Pattern LOADING = Pattern.compile("loading \\[([^\\]]*)\\]");

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  @Test
  void fiveUpdatesUnderLoadOnTwoWorkersFailNoRequestAndServeOnlyTheNewModelAfterEachSwitch() {
    Path repoA = flipRepository("repo-a");
    Path repoB = flipRepository("repo-b");
    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.cpu().repository(repoA));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.cpu().repository(repoB));
    gateway.awaitLive(START);
    Traffic.awaitServedBy(gateway, FLIP, FLIP_BODY, List.of(a.awaitId(START), b.awaitId(START)), START);

    try (LoadGenerator load = LoadGenerator.start(gateway.uri(FLIP), FLIP_BODY, 16, Long.MAX_VALUE, Duration.ofSeconds(150))) {
      Poll.until(Duration.ofSeconds(30), "the load runs", () -> load.snapshot().total() >= 100);
      for (int update = 1; update <= 5; update++) {
        boolean negate = update % 2 == 1;
        for (Path repo : List.of(repoA, repoB)) {
          write(repo.resolve("flip/1/model.onnx"), negate ? negation() : identity());
        }
        HttpResponse<String> loaded = control(gateway, "flip", "load");
        assertEquals(200, loaded.statusCode(), loaded.body());
        for (int i = 0; i < 20; i++) {
          assertEquals(negate ? -3f : 3f, first(Tenants.send(infer(gateway))), "update " + update + ": the new model only");
        }
      }
      LoadResult result = load.stop();
      System.out.printf("5 model updates under load (c = 16, 1 gateway + 2 workers): %d requests, %d failed%n",
          result.total(), result.failures());
      assertEquals(0, result.failures(), "no request fails while the model is updated: " + result);
      assertTrue(result.total() >= 500, result.toString());
    }
  }

  @Test
  void changesMadeThroughTheApiHoldForAWorkerThatJoinsLaterAndAfterEveryProcessRestarts() {
    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess first = cluster.startWorker("worker-1", WorkerOptions.sim(5, 0));
    gateway.awaitLive(START);
    Traffic.awaitServedBy(gateway, List.of(first.awaitId(START)), START);
    assertEquals(200, control(gateway, "affine_fp32", "unload").statusCode());
    HttpResponse<String> upload = Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/repository/models/uploaded/load"))
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("parameters", new JsonObject().put("config", "{}")
            .put("file:1/model.onnx", Base64.getEncoder().encodeToString(identity()))).encode())));
    assertEquals(200, upload.statusCode(), upload.body());

    // a worker with a repository of its own joins: it unloads nothing it was told to, and fetches the upload
    Path secondRepo = cluster.repository("repo-2", "simple", "affine_fp32");
    WorkerProcess second = cluster.startWorker("worker-2", WorkerOptions.sim(5, 0).repository(secondRepo));
    String secondId = second.awaitId(START);
    assertEquals(List.of("simple", "uploaded"), loadedAtStart(second), "the joining worker loads what the cluster wants");
    assertTrue(Files.isRegularFile(secondRepo.resolve("uploaded/1/model.onnx")), "the uploaded file reached its repository");
    Traffic.awaitServedBy(gateway, List.of(secondId), START);
    assertEquals(503, Tenants.send(affine(gateway)).statusCode(), "unloaded everywhere");

    // every process stops; the gateway comes back on its data directory, then a new worker
    for (ChildJvm p : List.of(gateway.jvm, first.jvm, second.jvm)) {
      p.terminate();
    }
    for (ChildJvm p : List.of(gateway.jvm, first.jvm, second.jvm)) {
      assertTrue(p.awaitExit(Duration.ofSeconds(60)), p.name() + " stops");
    }
    GatewayProcess again = cluster.startGateway("gateway-again", "gateway.data_dir=" + cluster.dir().resolve("gateway-data"));
    WorkerProcess third = cluster.startWorker("worker-3", WorkerOptions.sim(5, 0).repository(cluster.repository("repo-3",
        "simple", "affine_fp32")));
    again.awaitLive(START);
    String thirdId = third.awaitId(START);
    // the gateway puts its durable copy back as it starts, maybe after the worker read the cluster's: either way
    // the worker ends holding what the cluster wants, uploaded files included
    Poll.until(START, "the restarted cluster serves the upload and not the unloaded model",
        () -> readyOn(again, "uploaded") == 1 && readyOn(again, "affine_fp32") == 0);
    Traffic.awaitServedBy(again, List.of(thirdId), START);
    assertEquals(503, Tenants.send(affine(again)).statusCode(), "still unloaded after the restart");

    // and a load through the API undoes it, with the configuration it gives
    HttpResponse<String> load = Tenants.send(HttpRequest.newBuilder(again.uri("/v2/repository/models/affine_fp32/load"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\": {\"config\": \"{\\\"max_batch_size\\\": 3}\"}}")));
    assertEquals(200, load.statusCode(), load.body());
    assertEquals(200, Tenants.send(affine(again)).statusCode());
    JsonObject config = new JsonObject(Tenants.send(HttpRequest.newBuilder(again.uri("/v2/models/affine_fp32/config")).GET()).body());
    assertEquals(3, config.getInteger("max_batch_size"));
  }

  @Test
  void aWorkerKilledWhileItLoadsAModelLeavesTheOthersServingItAndTheLoadAnswersAtOnce() throws Exception {
    String model = "all-minilm-l6-v2";
    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.cpu().repository(cluster.repository("repo-a", model)));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.cpu().repository(cluster.repository("repo-b", model)));
    gateway.awaitLive(START);
    String idA = a.awaitId(START);
    b.awaitId(START);
    Poll.until(START, "the gateway routes to both workers", () -> readyOn(gateway, model) == 2);
    assertEquals(200, control(gateway, model, "unload").statusCode());

    long sent = System.nanoTime();
    java.util.concurrent.CompletableFuture<HttpResponse<String>> load =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> control(gateway, model, "load"));
    b.jvm.awaitLog(Pattern.compile("model " + model + " version 1 LOADING"), START);
    b.jvm.kill();
    HttpResponse<String> answer = load.get(60, java.util.concurrent.TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - sent) / 1e9;
    System.out.printf("a load during which one of two workers was killed answered %d in %.1f s%n", answer.statusCode(), seconds);
    assertEquals(200, answer.statusCode(), "the change is done on every worker that is left: " + answer.body());
    assertTrue(seconds < 30, "the load did not wait for the dead worker: " + seconds + " s");
    JsonObject entry = new io.vertx.core.json.JsonArray(Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/repository/index"))
        .POST(HttpRequest.BodyPublishers.noBody())).body()).stream().map(JsonObject.class::cast)
        .filter(e -> model.equals(e.getString("name"))).findFirst().orElseThrow();
    assertEquals("READY", entry.getString("state"), entry.encode());
    HttpResponse<String> served = Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/models/" + model + "/infer"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"hello\"]}]}")));
    assertEquals(200, served.statusCode(), served.body());
    assertEquals(idA, served.headers().firstValue(LoadGenerator.WORKER_HEADER).orElse(""));
  }

  /** On how many workers the gateway's repository index shows the model READY. */
  private static long readyOn(GatewayProcess g, String model) {
    return new io.vertx.core.json.JsonArray(Tenants.send(HttpRequest.newBuilder(g.uri("/v2/repository/index"))
        .POST(HttpRequest.BodyPublishers.noBody())).body()).stream().map(JsonObject.class::cast)
        .filter(e -> model.equals(e.getString("name")))
        .flatMap(e -> e.getJsonArray("workers", new io.vertx.core.json.JsonArray()).stream().map(JsonObject.class::cast))
        .filter(w -> "READY".equals(w.getString("state"))).count();
  }

  private List<String> loadedAtStart(WorkerProcess worker) {
    String names = worker.jvm.awaitLog(LOADING, START).group(1);
    return names.isEmpty() ? List.of() : List.of(names.split(", "));
  }

  private Path flipRepository(String name) {
    Path repo = cluster.dir().resolve(name);
    write(repo.resolve("flip/1/model.onnx"), identity());
    return repo;
  }

  private static HttpResponse<String> control(GatewayProcess g, String model, String op) {
    return Tenants.send(HttpRequest.newBuilder(g.uri("/v2/repository/models/" + model + "/" + op))
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private static HttpRequest.Builder infer(GatewayProcess g) {
    return HttpRequest.newBuilder(g.uri(FLIP)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(FLIP_BODY));
  }

  private static HttpRequest.Builder affine(GatewayProcess g) {
    return HttpRequest.newBuilder(g.uri(Traffic.AFFINE)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Traffic.AFFINE_BODY));
  }

  private static float first(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data").getFloat(0);
  }

  private static byte[] identity() {
    return OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2);
  }

  private static byte[] negation() {
    return OnnxModelBuilder.create("neg").input("INPUT0", ElemType.FLOAT, -1, 2).output("OUTPUT0", ElemType.FLOAT, -1, 2)
        .node("Neg", List.of("INPUT0"), List.of("OUTPUT0")).build();
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
