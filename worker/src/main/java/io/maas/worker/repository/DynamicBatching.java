package io.maas.worker.repository;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.maas.worker.batching.BatchPolicy;
import io.maas.worker.batching.QueueLevels;
import io.maas.worker.batching.QueuePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

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
 *   priority_levels: 2                # levels 1 (highest) .. 2; a request names one in its `priority` parameter
 *   default_priority_level: 2         # the level of requests naming none (default: the last level)
 *   default_queue_policy:             # every level's queue, unless priority_queue_policy names the level
 *     timeout_action: REJECT          #   REJECT (answer DEADLINE_EXCEEDED, never run) or DELAY (behind the level's
 *                                     #   requests that have not timed out)
 *     default_timeout_microseconds: 0 #   how long a request may wait in the queue; 0 for no limit
 *     allow_timeout_override: false   #   whether a request's own `timeout` parameter replaces it
 *     max_queue_size: 256
 *   priority_queue_policy:            # per level, the same keys
 *     1: {default_timeout_microseconds: 100000}
 * </pre>
 *
 * @param maxQueueDelayMicros how long the oldest queued request may wait for others to batch with
 * @param preferredBatchSizes batch sizes (in batch items) executed as soon as they can be formed, ascending
 * @param maxQueueSize the bound of the default queue policy, or null for the worker's default
 * @param priorityLevels how many priority levels; 0 for none (one level)
 * @param defaultPriorityLevel the level of requests naming none; 0 for the last level
 * @param defaultQueuePolicy every level's queue policy unless {@code priorityQueuePolicy} names the level
 * @param priorityQueuePolicy the queue policies of named levels
 */
public record DynamicBatching(long maxQueueDelayMicros, List<Integer> preferredBatchSizes, Integer maxQueueSize,
    int priorityLevels, int defaultPriorityLevel, Queue defaultQueuePolicy, Map<Integer, Queue> priorityQueuePolicy) {

  /** The longest delay a model may ask for: batching trades latency, not seconds of it. */
  public static final long MAX_QUEUE_DELAY_MICROS = 10_000_000;

  /** The most priority levels a model may have. */
  public static final int MAX_PRIORITY_LEVELS = 100;

  private static final Set<String> KEYS = Set.of("max_queue_delay_microseconds", "max_queue_delay_us",
      "preferred_batch_size", "preferred_batch_sizes", "max_queue_size", "default_queue_policy", "priority_levels",
      "default_priority_level", "priority_queue_policy");
  private static final Set<String> QUEUE_KEYS = Set.of("timeout_action", "default_timeout_microseconds",
      "allow_timeout_override", "max_queue_size");

  /**
   * One queue policy as configured (Triton's {@code ModelQueuePolicy}).
   *
   * @param maxQueueSize its bound, or null for the default queue policy's (the worker's default at last)
   */
  public record Queue(QueuePolicy.TimeoutAction timeoutAction, long defaultTimeoutMicros, boolean allowTimeoutOverride,
      Integer maxQueueSize) {
    static final Queue DEFAULT = new Queue(QueuePolicy.TimeoutAction.REJECT, 0, false, null);

    JsonObject toJson(Integer fallbackQueueSize) {
      JsonObject json = new JsonObject().put("timeout_action", timeoutAction.name())
          .put("default_timeout_microseconds", defaultTimeoutMicros).put("allow_timeout_override", allowTimeoutOverride);
      Integer size = maxQueueSize != null ? maxQueueSize : fallbackQueueSize;
      return size == null ? json : json.put("max_queue_size", size);
    }
  }

  /** Batching with one priority level and the default queue policy. */
  public DynamicBatching(long maxQueueDelayMicros, List<Integer> preferredBatchSizes, Integer maxQueueSize) {
    this(maxQueueDelayMicros, preferredBatchSizes, maxQueueSize, 0, 0, Queue.DEFAULT, Map.of());
  }

  public DynamicBatching {
    preferredBatchSizes = preferredBatchSizes.stream().distinct().sorted().toList();
    priorityQueuePolicy = Map.copyOf(priorityQueuePolicy);
    if (priorityLevels < 0 || priorityLevels > MAX_PRIORITY_LEVELS) {
      throw new IllegalArgumentException("dynamic_batching.priority_levels must be within 0.." + MAX_PRIORITY_LEVELS
          + ", not " + priorityLevels);
    }
    int levels = Math.max(1, priorityLevels);
    if (defaultPriorityLevel < 0 || defaultPriorityLevel > levels) {
      throw new IllegalArgumentException("dynamic_batching.default_priority_level must be within 1.." + levels
          + " (priority_levels), not " + defaultPriorityLevel);
    }
    for (int level : priorityQueuePolicy.keySet()) {
      if (level < 1 || level > levels) {
        throw new IllegalArgumentException("dynamic_batching.priority_queue_policy names level " + level
            + ", but the levels are 1.." + levels + " (priority_levels)");
      }
    }
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

  /** Triton's JSON form, with Triton's names. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("preferred_batch_size", new JsonArray(preferredBatchSizes))
        .put("max_queue_delay_microseconds", maxQueueDelayMicros)
        .put("priority_levels", priorityLevels)
        .put("default_priority_level", priorityLevels == 0 ? 0 : defaultLevel())
        .put("default_queue_policy", defaultQueuePolicy.toJson(maxQueueSize));
    if (!priorityQueuePolicy.isEmpty()) {
      JsonObject levels = new JsonObject();
      new TreeMap<>(priorityQueuePolicy).forEach((level, q) -> levels.put(Integer.toString(level), q.toJson(null)));
      json.put("priority_queue_policy", levels);
    }
    return json;
  }

  /** The queue's levels with their policies; a bound set nowhere is the worker's {@code max_queue_size}. */
  public QueueLevels queueLevels(int defaultMaxQueueSize) {
    int levels = Math.max(1, priorityLevels);
    List<QueuePolicy> policies = new ArrayList<>(levels);
    for (int level = 1; level <= levels; level++) {
      Queue q = priorityQueuePolicy.getOrDefault(level, defaultQueuePolicy);
      Integer size = q.maxQueueSize() != null ? q.maxQueueSize()
          : maxQueueSize != null ? maxQueueSize : defaultQueuePolicy.maxQueueSize();
      policies.add(new QueuePolicy(q.timeoutAction(), q.defaultTimeoutMicros(), q.allowTimeoutOverride(),
          size == null ? defaultMaxQueueSize : size));
    }
    return new QueueLevels(policies, defaultLevel());
  }

  /**
   * The batcher's policy of a model version with this section.
   *
   * @param maxBatchSize the version's resolved max_batch_size
   * @param defaultMaxQueueSize the worker's {@code max_queue_size}
   * @throws IllegalArgumentException when the section does not fit the model
   */
  public BatchPolicy policy(int maxBatchSize, int defaultMaxQueueSize) {
    checkAgainst(maxBatchSize);
    return new BatchPolicy(true, maxBatchSize, TimeUnit.MICROSECONDS.toNanos(maxQueueDelayMicros), preferredBatchSizes,
        queueLevels(defaultMaxQueueSize));
  }

  /** The level of requests naming none: the configured one, else the last. */
  private int defaultLevel() {
    return defaultPriorityLevel == 0 ? Math.max(1, priorityLevels) : defaultPriorityLevel;
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
    Long levels = number(j, "priority_levels", null);
    Long defaultLevel = number(j, "default_priority_level", null);
    if (levels != null && (levels < 0 || levels > MAX_PRIORITY_LEVELS)) {
      throw new IllegalArgumentException("dynamic_batching.priority_levels must be within 0.." + MAX_PRIORITY_LEVELS
          + ", not " + levels);
    }
    if (defaultLevel != null && (defaultLevel < 0 || defaultLevel > MAX_PRIORITY_LEVELS)) {
      throw new IllegalArgumentException("dynamic_batching.default_priority_level must be within 1..priority_levels, "
          + "not " + defaultLevel);
    }
    Queue defaultQueue = policy == null ? Queue.DEFAULT : queue("default_queue_policy", (JsonObject) policy);
    return new DynamicBatching(delay == null ? 0 : delay, preferred(j), queue == null ? null : queue.intValue(),
        levels == null ? 0 : levels.intValue(), defaultLevel == null ? 0 : defaultLevel.intValue(),
        new Queue(defaultQueue.timeoutAction(), defaultQueue.defaultTimeoutMicros(), defaultQueue.allowTimeoutOverride(),
            null), priorityQueues(j.getValue("priority_queue_policy")));
  }

  private static Map<Integer, Queue> priorityQueues(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject j)) {
      throw new IllegalArgumentException("dynamic_batching.priority_queue_policy must map levels to queue policies");
    }
    Map<Integer, Queue> queues = new HashMap<>();
    for (String key : j.fieldNames()) {
      if (!key.matches("\\d{1,3}")) {
        throw new IllegalArgumentException("dynamic_batching.priority_queue_policy keys are priority levels, not '"
            + key + "'");
      }
      String name = "dynamic_batching.priority_queue_policy." + key;
      if (!(j.getValue(key) instanceof JsonObject q)) {
        throw new IllegalArgumentException(name + " must be a mapping");
      }
      queues.put(Integer.parseInt(key), queue(name, q));
    }
    return queues;
  }

  private static Queue queue(String name, JsonObject q) {
    for (String key : q.fieldNames()) {
      if (!QUEUE_KEYS.contains(key)) {
        throw new IllegalArgumentException(name + "." + key + " is not a known key; known keys are "
            + QUEUE_KEYS.stream().sorted().toList());
      }
    }
    Object action = q.getValue("timeout_action", "REJECT");
    QueuePolicy.TimeoutAction timeoutAction;
    if (action instanceof String a && (a.equalsIgnoreCase("REJECT") || a.equalsIgnoreCase("DELAY"))) {
      timeoutAction = QueuePolicy.TimeoutAction.valueOf(a.toUpperCase(Locale.ROOT));
    } else if (action instanceof Number n && (n.intValue() == 0 || n.intValue() == 1) && n.doubleValue() == n.intValue()) {
      timeoutAction = QueuePolicy.TimeoutAction.values()[n.intValue()]; // the protobuf enum's numbers
    } else {
      throw new IllegalArgumentException(name + ".timeout_action must be REJECT or DELAY, not " + action);
    }
    Long timeout = number(name, q, "default_timeout_microseconds", null);
    if (timeout != null && timeout < 0) {
      throw new IllegalArgumentException(name + ".default_timeout_microseconds must be 0 (none) or more, not " + timeout);
    }
    Object override = q.getValue("allow_timeout_override", false);
    if (!(override instanceof Boolean)) {
      throw new IllegalArgumentException(name + ".allow_timeout_override must be true or false, not " + override);
    }
    Long size = number(name, q, "max_queue_size", null);
    if (size != null && (size < 1 || size > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(name + ".max_queue_size must be 1 or more, not " + size);
    }
    return new Queue(timeoutAction, timeout == null ? 0 : timeout, (Boolean) override,
        size == null ? null : size.intValue());
  }

  private static Long number(JsonObject j, String key, String alias) {
    return number("dynamic_batching", j, key, alias);
  }

  private static Long number(String section, JsonObject j, String key, String alias) {
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
    throw new IllegalArgumentException(section + "." + found + " must be a whole number, not " + v);
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
