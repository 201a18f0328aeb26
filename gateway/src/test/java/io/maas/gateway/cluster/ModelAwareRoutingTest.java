package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Model-aware routing across real ONNX Runtime workers holding different repositories: a model only
 * one worker holds goes only there, and a model whose only worker left is 503 with Retry-After.
 */
@Tag("cluster")
class ModelAwareRoutingTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  @Test
  void aModelHeldByOneWorkerIsRoutedOnlyThereAndAModelHeldByNoneIs503WithRetryAfter() throws Exception {
    Path both = cluster.repository("repo-a", "simple", "affine_fp32");
    Path simpleOnly = cluster.repository("repo-b", "simple");
    Path soloOnly = cluster.dir().resolve("repo-c");
    Path solo = soloOnly.resolve("solo/1/model.onnx");
    Files.createDirectories(solo.getParent());
    Files.write(solo, OnnxModelBuilder.identity("solo", ElemType.INT32, -1, 2));

    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.cpu().repository(both));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.cpu().repository(simpleOnly));
    WorkerProcess c = cluster.startWorker("worker-c", WorkerOptions.cpu().repository(soloOnly));
    gateway.awaitLive(START);
    String idA = a.awaitId(START);
    String idB = b.awaitId(START);
    c.awaitId(START);
    Traffic.awaitServedBy(gateway, List.of(idA, idB), START);
    gateway.awaitStatus("/v2/models/solo/ready", 200, START);

    LoadResult affine = LoadGenerator.start(gateway.uri(Traffic.AFFINE), Traffic.AFFINE_BODY, 4, 100,
        Duration.ofSeconds(60)).awaitDone();
    assertEquals(100, affine.successes(), affine.toString());
    assertEquals(Map.of(idA, 100L), affine.servedBy(), "affine_fp32 is held by worker-a alone: " + affine);
    HttpResponse<String> one = gateway.post(Traffic.AFFINE, Traffic.AFFINE_BODY);
    assertTrue(one.body().contains("[-9.75,28.5,5.53125,-10.0]"), one.body());

    // the statistics, summed over the three worker processes, and worker-a's own /metrics agree
    HttpResponse<String> stats = gateway.get("/v2/models/affine_fp32/stats");
    assertEquals(200, stats.statusCode(), stats.body());
    JsonObject body = new JsonObject(stats.body());
    assertEquals(new JsonObject().put("asked", 3).put("answered", 3), body.getJsonObject("maas_workers"));
    JsonObject affineStats = body.getJsonArray("model_stats").getJsonObject(0);
    assertEquals(101, affineStats.getJsonObject("inference_stats").getJsonObject("success").getLong("count"));
    assertTrue(affineStats.getLong("execution_count") <= 101, affineStats.encode());
    HttpResponse<String> metrics = GatewayProcess.HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + a.metricsPort(START) + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(metrics.body().lines().anyMatch(l -> l.matches(
        "maas_inference_request_success_total\\{model=\"affine_fp32\",version=\"1\",worker=\"" + idA + "\"} 101\\.0")),
        metrics.body());

    // worker-c, the only one holding 'solo', leaves: the model is known but held by none
    c.jvm.terminate();
    assertTrue(c.jvm.awaitExit(Duration.ofSeconds(60)), "worker-c did not exit within 60 s of SIGTERM");
    gateway.awaitStatus("/v2/models/solo/ready", 503, Duration.ofSeconds(10));
    HttpResponse<String> none = gateway.post("/v2/models/solo/infer",
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[1,2]}]}");
    assertEquals(503, none.statusCode(), none.body());
    assertTrue(none.headers().firstValue("Retry-After").isPresent(), "no Retry-After: " + none.headers().map());
    assertEquals("UNAVAILABLE", none.headers().firstValue("X-Maas-Error-Code").orElse(""), none.body());
  }
}
