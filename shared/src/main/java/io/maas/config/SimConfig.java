package io.maas.config;

import io.vertx.core.json.JsonObject;

/**
 * Settings of a {@code sim} slot: a SIMULATED device for capacity work on machines without GPUs. It
 * computes nothing: a request holds one of the model's instances for
 * {@code baseMillis + perItemMillis × batch size} without using a CPU, then answers zeros.
 *
 * @param baseMillis the time every request holds an instance
 * @param perItemMillis the extra time per item of the batch
 * @param failForMillis fault injection: for this long after the slot starts, every request fails with
 *     INTERNAL (then the slot heals); 0 for never
 * @param modelMb what each model version is taken to occupy on the slot (its footprint for placement), unless
 *     the model's configuration states {@code memory_mb}
 */
public record SimConfig(long baseMillis, long perItemMillis, long failForMillis, long modelMb) {

  public static final long DEFAULT_BASE_MS = 5;
  public static final long DEFAULT_PER_ITEM_MS = 1;
  public static final long DEFAULT_MODEL_MB = 100;
  public static final SimConfig DEFAULT = new SimConfig(DEFAULT_BASE_MS, DEFAULT_PER_ITEM_MS, 0, DEFAULT_MODEL_MB);

  /** Each model taking the default footprint ({@value #DEFAULT_MODEL_MB} MiB). */
  public SimConfig(long baseMillis, long perItemMillis, long failForMillis) {
    this(baseMillis, perItemMillis, failForMillis, DEFAULT_MODEL_MB);
  }

  /** One simulated request may hold an instance for at most this long (one hour). */
  public static final long MAX_MS = 3_600_000;

  public SimConfig {
    check("sim_base_ms", baseMillis);
    check("sim_per_item_ms", perItemMillis);
    check("sim_fail_for_ms", failForMillis);
    if (modelMb < 0 || modelMb > 16L * 1024 * 1024) {
      throw new IllegalArgumentException("slot sim: sim_model_mb must be within 0..16777216, not " + modelMb);
    }
  }

  private static void check(String key, long value) {
    if (value < 0 || value > MAX_MS) {
      throw new IllegalArgumentException("slot sim: " + key + " must be within 0.." + MAX_MS + ", not " + value);
    }
  }

  /** How long a request of this batch size holds an instance. */
  public long holdMillis(long batchSize) {
    return baseMillis + perItemMillis * Math.max(1, batchSize);
  }

  static SimConfig fromJson(JsonObject slot) {
    return new SimConfig(
        slot.getLong("sim_base_ms", DEFAULT_BASE_MS),
        slot.getLong("sim_per_item_ms", DEFAULT_PER_ITEM_MS),
        slot.getLong("sim_fail_for_ms", 0L),
        slot.getLong("sim_model_mb", DEFAULT_MODEL_MB));
  }
}
