package io.maas.gateway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Statistics and metrics of a model served by real ONNX Runtime sessions (the shared node's CPU worker):
 * what N requests add, read before and after (other test classes use the same node, one at a time).
 */
@ExtendWith(SharedNode.class)
@Timeout(60)
class OrtStatisticsTest {
  private static final String SIMPLE = """
      {"inputs": [
        {"name": "INPUT0", "shape": [1, 16], "datatype": "INT32", "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
        {"name": "INPUT1", "shape": [1, 16], "datatype": "INT32", "data": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""";
  private static final int N = 7;
  private static final String LABELS = "model=\"simple\",version=\"1\"";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void nRequestsAddNToSuccessInferenceAndExecutionCountsAndToTheMeters(RunningNode node) throws Exception {
    JsonObject before = simpleStats(node);
    Scrape metricsBefore = scrape(node);
    for (int i = 0; i < N; i++) {
      HttpResponse<String> r = node.post("/v2/models/simple/infer", SIMPLE);
      assertEquals(200, r.statusCode(), r.body());
    }
    JsonObject after = simpleStats(node);
    Scrape metricsAfter = scrape(node);
    assertEquals(N, success(after) - success(before));
    assertEquals(N, after.getLong("inference_count") - before.getLong("inference_count"));
    assertEquals(N, after.getLong("execution_count") - before.getLong("execution_count"),
        "one execution per request when the model does not batch");
    assertEquals(N, metricsAfter.sum("maas_inference_request_success_total", LABELS)
        - metricsBefore.sum("maas_inference_request_success_total", LABELS));
    assertEquals(N, metricsAfter.sum("maas_inference_request_duration_seconds_count", LABELS)
        - metricsBefore.sum("maas_inference_request_duration_seconds_count", LABELS));
    assertEquals(N, metricsAfter.sum("maas_inference_compute_infer_duration_seconds_count", LABELS)
        - metricsBefore.sum("maas_inference_compute_infer_duration_seconds_count", LABELS));
    assertEquals(N, metricsAfter.sum("maas_gateway_requests_total", "model=\"simple\"", "code=\"OK\"")
        - metricsBefore.sum("maas_gateway_requests_total", "model=\"simple\"", "code=\"OK\""));
    assertEquals(1, metricsAfter.lines("maas_inference_queue_depth{" + LABELS).size());
    assertEquals(0, metricsAfter.sum("maas_inference_queue_depth", LABELS), "idle: nothing queued");
  }

  private static long success(JsonObject s) {
    return s.getJsonObject("inference_stats").getJsonObject("success").getLong("count");
  }

  private static JsonObject simpleStats(RunningNode node) throws Exception {
    HttpResponse<String> r = node.get("/v2/models/simple/versions/1/stats");
    assertEquals(200, r.statusCode(), r.body());
    return RunningNode.json(r).getJsonArray("model_stats").getJsonObject(0);
  }

  private static Scrape scrape(RunningNode node) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.node.metricsPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return new Scrape(r.body());
  }
}
