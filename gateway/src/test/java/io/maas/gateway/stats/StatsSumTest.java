package io.maas.gateway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Workers' statistics of one version add up, maas's own cold_load_count with Triton's counts. */
class StatsSumTest {

  private static JsonObject stat(long inferences, long coldLoads, long lastInference) {
    return new JsonObject().put("name", "m").put("version", "1").put("last_inference", lastInference)
        .put("inference_count", inferences).put("execution_count", inferences).put("cold_load_count", coldLoads);
  }

  @Test
  void coldLoadCountsAddUpAcrossWorkers() {
    StatsSum sum = new StatsSum("m", "1");
    sum.add(stat(3, 1, 100));
    sum.add(stat(4, 2, 300));
    sum.add(new JsonObject().put("name", "m").put("version", "1").put("inference_count", 2)); // an older worker's
    JsonObject total = sum.toJson();
    assertEquals(3, total.getLong("cold_load_count"));
    assertEquals(9, total.getLong("inference_count"));
    assertEquals(300, total.getLong("last_inference"));
  }

  @Test
  void queueOutcomesAddUpAcrossWorkers() {
    StatsSum sum = new StatsSum("m", "1");
    sum.add(stat(1, 0, 1).put("queue_outcomes", new JsonObject().put("cancelled", 5).put("timed_out", 1)));
    sum.add(stat(1, 0, 2).put("queue_outcomes", new JsonObject().put("cancelled", 2).put("pushed_out", 3)
        .put("delayed", 4)));
    sum.add(stat(1, 0, 3)); // an older worker's, without them
    JsonObject outcomes = sum.toJson().getJsonObject("queue_outcomes");
    assertEquals(new JsonObject().put("cancelled", 7L).put("timed_out", 1L).put("pushed_out", 3L).put("delayed", 4L),
        outcomes);
  }

  @Test
  void aVersionNoWorkerReportedHasNoColdLoads() {
    assertEquals(0, new StatsSum("m", "1").toJson().getLong("cold_load_count"));
  }
}
