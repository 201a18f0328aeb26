package io.maas.worker.repository;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A model's {@code dynamic_batching} section (Triton's names and meaning): present, even empty, turns
 * batching on; the worker then merges queued requests along the batch dimension into one execution.
 *
 * <pre>
 * dynamic_batching:
 *   max_queue_delay_microseconds: 0   # alias max_queue_delay_us: how long the oldest request may wait for
 *                                     #   more to batch with; 0 batches what is queued
 *   preferred_batch_size: [16, 32]    # alias preferred_batch_sizes: batch sizes run at once when reached
 *   max_queue_size: 256               # alias default_queue_policy.max_queue_size (default worker.max_queue_size)
 * </pre>
 *
 * @param maxQueueDelayMicros how long the oldest queued request may wait for others to batch with
 * @param preferredBatchSizes batch sizes (in batch items) executed as soon as they can be formed, ascending
 * @param maxQueueSize the bound of the model's queue, or null for the worker's default
 */
public record DynamicBatching(long maxQueueDelayMicros, List<Integer> preferredBatchSizes, Integer maxQueueSize) {

  /** The longest delay a model may ask for: batching trades latency, not seconds of it. */
  public static final long MAX_QUEUE_DELAY_MICROS = 10_000_000;

  private static final Set<String> KEYS = Set.of("max_queue_delay_microseconds", "max_queue_delay_us",
      "preferred_batch_size", "preferred_batch_sizes", "max_queue_size", "default_queue_policy");

  public DynamicBatching {
    preferredBatchSizes = preferredBatchSizes.stream().distinct().sorted().toList();
    if (maxQueueDelayMicros < 0 || maxQueueDelayMicros > MAX_QUEUE_DELAY_MICROS) {
      throw new IllegalArgumentException("dynamic_batching.max_queue_delay_microseconds must be within 0.."
          + MAX_QUEUE_DELAY_MICROS + ", not " + maxQueueDelayMicros);
    }
    for (int p : preferredBatchSizes) {
      if (p < 1) {
        throw new IllegalArgumentException("dynamic_batching.preferred_batch_size must hold positive sizes, not " + p);
      }
    }
    if (maxQueueSize != null && maxQueueSize < 1) {
      throw new IllegalArgumentException("dynamic_batching.max_queue_size must be 1 or more, not " + maxQueueSize);
    }
  }

  /** Triton's JSON form, with Triton's names (the queue bound in {@code default_queue_policy}, when set). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("preferred_batch_size", new JsonArray(preferredBatchSizes))
        .put("max_queue_delay_microseconds", maxQueueDelayMicros);
    return maxQueueSize == null ? json : json.put("default_queue_policy", new JsonObject().put("max_queue_size", maxQueueSize));
  }

  /** Checks the section against the model's max_batch_size (configured or inferred). */
  public void checkAgainst(int maxBatchSize) {
    if (maxBatchSize == 0) {
      throw new IllegalArgumentException("dynamic_batching needs a batch dimension, but max_batch_size is 0; "
          + "set max_batch_size (inputs and outputs must start with a dynamic dimension)");
    }
    for (int p : preferredBatchSizes) {
      if (p > maxBatchSize) {
        throw new IllegalArgumentException("dynamic_batching.preferred_batch_size " + p + " is over max_batch_size "
            + maxBatchSize);
      }
    }
  }

  /**
   * Parses the section.
   *
   * @throws IllegalArgumentException naming the offending key
   */
  static DynamicBatching fromJson(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject j)) {
      throw new IllegalArgumentException("dynamic_batching must be a mapping (use {} for the defaults)");
    }
    for (String key : j.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("dynamic_batching." + key + " is not a known key; known keys are "
            + KEYS.stream().sorted().toList());
      }
    }
    Long delay = number(j, "max_queue_delay_microseconds", "max_queue_delay_us");
    Object policy = j.getValue("default_queue_policy");
    if (policy != null && !(policy instanceof JsonObject)) {
      throw new IllegalArgumentException("dynamic_batching.default_queue_policy must be a mapping");
    }
    Long queue = number(j, "max_queue_size", null);
    if (queue == null && policy != null) {
      queue = number((JsonObject) policy, "max_queue_size", null);
    }
    if (queue != null && (queue < 1 || queue > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("dynamic_batching.max_queue_size must be 1 or more, not " + queue);
    }
    return new DynamicBatching(delay == null ? 0 : delay, preferred(j), queue == null ? null : queue.intValue());
  }

  private static Long number(JsonObject j, String key, String alias) {
    String found = j.containsKey(key) ? key : alias != null && j.containsKey(alias) ? alias : null;
    if (found == null) {
      return null;
    }
    Object v = j.getValue(found);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    if (v instanceof String s && s.matches("-?\\d{1,18}")) {
      return Long.parseLong(s); // Triton's config.pbtxt-to-JSON writes 64-bit integers as strings
    }
    throw new IllegalArgumentException("dynamic_batching." + found + " must be a whole number, not " + v);
  }

  private static List<Integer> preferred(JsonObject j) {
    String key = j.containsKey("preferred_batch_size") ? "preferred_batch_size" : "preferred_batch_sizes";
    Object v = j.getValue(key);
    if (v == null) {
      return List.of();
    }
    if (v instanceof Number) {
      v = new JsonArray().add(v);
    }
    if (!(v instanceof JsonArray a)) {
      throw new IllegalArgumentException("dynamic_batching." + key + " must be a list of sizes, not " + v);
    }
    List<Integer> sizes = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
          || n.longValue() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("dynamic_batching." + key + " must hold positive whole sizes, not " + o);
      }
      sizes.add(n.intValue());
    }
    return sizes;
  }
}
