package io.maas.gateway.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sums Triton {@code $model_stat} objects of one model version from several workers: counts and
 * nanoseconds add up (maas's own {@code cold_load_count} and {@code queue_outcomes} too), {@code last_inference} is
 * the latest,
 * {@code batch_stats} merge by batch size.
 */
final class StatsSum {
  private static final String[] INFERENCE_STATS = {
      "success", "fail", "queue", "compute_input", "compute_infer", "compute_output", "cache_hit", "cache_miss"};
  private static final String[] BATCH_STATS = {"compute_input", "compute_infer", "compute_output"};
  private static final String[] QUEUE_OUTCOMES = {"cancelled", "timed_out", "pushed_out", "delayed"};

  private final String name;
  private final String version;
  private long lastInference;
  private long inferenceCount;
  private long executionCount;
  private long coldLoadCount;
  private final long[] queueOutcomes = new long[QUEUE_OUTCOMES.length];
  private final Map<String, long[]> inference = new TreeMap<>();
  /** Batch size -> stat name -> {count, ns}. */
  private final Map<Long, Map<String, long[]>> batches = new TreeMap<>();

  StatsSum(String name, String version) {
    this.name = name;
    this.version = version;
    for (String s : INFERENCE_STATS) {
      inference.put(s, new long[2]);
    }
  }

  /** Adds one worker's statistics of this model version. */
  void add(JsonObject stat) {
    lastInference = Math.max(lastInference, stat.getLong("last_inference", 0L));
    inferenceCount += stat.getLong("inference_count", 0L);
    executionCount += stat.getLong("execution_count", 0L);
    coldLoadCount += stat.getLong("cold_load_count", 0L);
    JsonObject outcomes = stat.getJsonObject("queue_outcomes", new JsonObject());
    for (int i = 0; i < QUEUE_OUTCOMES.length; i++) {
      queueOutcomes[i] += outcomes.getLong(QUEUE_OUTCOMES[i], 0L);
    }
    JsonObject stats = stat.getJsonObject("inference_stats", new JsonObject());
    inference.forEach((key, sum) -> addDuration(sum, stats.getJsonObject(key)));
    JsonArray batchStats = stat.getJsonArray("batch_stats", new JsonArray());
    for (int i = 0; i < batchStats.size(); i++) {
      JsonObject b = batchStats.getJsonObject(i);
      Map<String, long[]> sums = batches.computeIfAbsent(b.getLong("batch_size", 0L), k -> new TreeMap<>());
      for (String s : BATCH_STATS) {
        addDuration(sums.computeIfAbsent(s, k -> new long[2]), b.getJsonObject(s));
      }
    }
  }

  private static void addDuration(long[] sum, JsonObject d) {
    if (d != null) {
      sum[0] += d.getLong("count", 0L);
      sum[1] += d.getLong("ns", 0L);
    }
  }

  JsonObject toJson() {
    JsonObject stats = new JsonObject();
    for (String s : INFERENCE_STATS) {
      stats.put(s, duration(inference.get(s)));
    }
    JsonArray batchStats = new JsonArray();
    batches.forEach((size, sums) -> {
      JsonObject b = new JsonObject().put("batch_size", size);
      for (String s : BATCH_STATS) {
        b.put(s, duration(sums.getOrDefault(s, new long[2])));
      }
      batchStats.add(b);
    });
    JsonObject outcomes = new JsonObject();
    for (int i = 0; i < QUEUE_OUTCOMES.length; i++) {
      outcomes.put(QUEUE_OUTCOMES[i], queueOutcomes[i]);
    }
    return new JsonObject()
        .put("name", name)
        .put("version", version)
        .put("last_inference", lastInference)
        .put("inference_count", inferenceCount)
        .put("execution_count", executionCount)
        .put("cold_load_count", coldLoadCount)
        .put("queue_outcomes", outcomes)
        .put("inference_stats", stats)
        .put("batch_stats", batchStats);
  }

  private static JsonObject duration(long[] d) {
    return new JsonObject().put("count", d[0]).put("ns", d[1]);
  }
}
