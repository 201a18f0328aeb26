package io.maas.worker.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ModelStatisticsTest {

  private static JsonObject stat(JsonObject s, String which) {
    return s.getJsonObject("inference_stats").getJsonObject(which);
  }

  @Test
  void aBatchOfThreeRequestsIsOneExecutionChargedToEachRequest() {
    ModelStatistics stats = new ModelStatistics();
    stats.executed(3, 7, 10, 100, 20);
    stats.completed(true, 2, 5, 200);
    stats.completed(true, 4, 6, 210);
    stats.completed(true, 1, 7, 220);
    JsonObject s = stats.toJson("m", "1");
    assertEquals(7, s.getLong("inference_count"));
    assertEquals(1, s.getLong("execution_count"));
    assertEquals(new JsonObject().put("count", 3L).put("ns", 630L), stat(s, "success"));
    assertEquals(new JsonObject().put("count", 3L).put("ns", 18L), stat(s, "queue"));
    assertEquals(new JsonObject().put("count", 3L).put("ns", 300L), stat(s, "compute_infer"));
    assertEquals(new JsonObject().put("count", 3L).put("ns", 30L), stat(s, "compute_input"));
    JsonObject batch = s.getJsonArray("batch_stats").getJsonObject(0);
    assertEquals(7, batch.getLong("batch_size"));
    assertEquals(new JsonObject().put("count", 1L).put("ns", 100L), batch.getJsonObject("compute_infer"));
    assertTrue(s.getLong("last_inference") > 0);
  }

  @Test
  void failuresAndRefusalsCountAsFailNotAsInferences() {
    ModelStatistics stats = new ModelStatistics();
    stats.completed(false, 4, 0, 50);
    stats.rejected();
    JsonObject s = stats.toJson("m", "1");
    assertEquals(0, s.getLong("inference_count"));
    assertEquals(new JsonObject().put("count", 2L).put("ns", 50L), stat(s, "fail"));
    assertEquals(0, stat(s, "success").getLong("count"));
    assertEquals(0, stat(s, "queue").getLong("count"));
  }

  @Test
  void metersFollowTheSameEventsAndLeaveTheRegistryOnClose() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ModelMetrics metrics = new ModelMetrics(registry, "m", "1", "w1");
    int[] queued = {3};
    metrics.watchQueue(() -> queued[0]);
    metrics.executed(2, 5, 1_000, 2_000_000, 1_000);
    metrics.completed(true, 2, 10, 3_000_000);
    metrics.completed(true, 3, 10, 3_000_000);
    metrics.rejected();
    assertEquals(2, registry.get("maas.inference.request.success").counter().count());
    assertEquals(1, registry.get("maas.inference.request.failure").counter().count());
    assertEquals(5, registry.get("maas.inference.count").counter().count());
    assertEquals(1, registry.get("maas.inference.exec.count").counter().count());
    assertEquals(5, registry.get("maas.inference.batch.size").summary().totalAmount());
    assertEquals(2, registry.get("maas.inference.request.duration").timer().count());
    assertEquals(3, registry.get("maas.inference.queue.depth").tag("worker", "w1").gauge().value());
    queued[0] = 0;
    assertEquals(0, registry.get("maas.inference.queue.depth").gauge().value(), "read live");
    metrics.close();
    assertTrue(registry.getMeters().isEmpty(), "every meter removed: " + registry.getMeters());
  }
}
