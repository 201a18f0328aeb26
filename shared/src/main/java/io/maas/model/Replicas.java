package io.maas.model;

import io.vertx.core.json.JsonObject;

/**
 * How many workers a model version should be held by when the cluster places models
 * ({@code worker.model_control_mode: placed}).
 *
 * @param min the copies kept whatever the traffic (0: the version may be evicted, and loads on demand)
 * @param max the most copies traffic may add; 0: as many as the pool has workers
 */
public record Replicas(int min, int max) {
  /** Loaded on demand, evicted when idle and room is needed, scaled up by traffic without a limit. */
  public static final Replicas DEFAULT = new Replicas(0, 0);

  public Replicas {
    if (min < 0) {
      throw new IllegalArgumentException("replicas.min must be 0 or more, not " + min);
    }
    if (max < 0) {
      throw new IllegalArgumentException("replicas.max must be 0 (no limit) or more, not " + max);
    }
    if (max != 0 && max < min) {
      throw new IllegalArgumentException("replicas.max (" + max + ") must be 0 (no limit) or at least replicas.min ("
          + min + ")");
    }
  }

  /** The most copies, given the pool's size. */
  public int maxIn(int workers) {
    return max == 0 ? workers : Math.min(max, workers);
  }

  public JsonObject toJson() {
    return new JsonObject().put("min", min).put("max", max);
  }

  /**
   * Reads {@code {min, max}} (either may be left out: 0).
   *
   * @throws IllegalArgumentException naming the bad field
   */
  public static Replicas fromJson(Object value) {
    if (!(value instanceof JsonObject j)) {
      throw new IllegalArgumentException("replicas must be an object {\"min\": N, \"max\": N}");
    }
    for (String key : j.fieldNames()) {
      if (!key.equals("min") && !key.equals("max")) {
        throw new IllegalArgumentException("replicas has no field '" + key + "' (min, max)");
      }
    }
    return new Replicas(count(j, "min"), count(j, "max"));
  }

  private static int count(JsonObject j, String key) {
    Object v = j.getValue(key, 0);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() > 1_000_000) {
      throw new IllegalArgumentException("replicas." + key + " must be a whole number, not " + v);
    }
    return n.intValue();
  }
}
