package io.maas.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * The worker's settings.
 *
 * @param modelRepository the model repository directory (Triton layout)
 * @param slots the device slots; one worker verticle runs per slot
 * @param announceIntervalMillis how often each worker verticle re-announces itself
 * @param defaultMaxBatchSize max_batch_size given to a model without config whose inputs and outputs
 *     all start with a dynamic dimension (Triton's auto-complete); 0 turns that off
 * @param drainGraceMillis on a graceful leave, how long a worker keeps taking requests after it told the
 *     gateways it is leaving (requests they routed before they heard it still arrive and are served)
 * @param drainTimeoutMillis on a graceful leave, the longest a worker waits for its running requests
 * @param maxQueueSize the bound of every model version's queue on this worker (requests waiting for an
 *     execution) where the model's {@code dynamic_batching.max_queue_size} sets none; a full queue answers
 *     UNAVAILABLE at once
 * @param models models served from their own base paths (TF Serving's way of naming models); when any are
 *     listed they are served instead of the model repository
 * @param control how the set of models may change while the worker runs (Triton's model control modes)
 */
public record WorkerConfig(
    Path modelRepository,
    List<SlotConfig> slots,
    long announceIntervalMillis,
    int defaultMaxBatchSize,
    long drainGraceMillis,
    long drainTimeoutMillis,
    int maxQueueSize,
    List<ModelBasePath> models,
    ModelControlConfig control) {

  public static final long DEFAULT_DRAIN_GRACE_MS = 1000;
  public static final long DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_MAX_QUEUE_SIZE = 256;

  public WorkerConfig {
    slots = List.copyOf(slots);
    models = List.copyOf(models);
    if (models.stream().map(ModelBasePath::name).distinct().count() < models.size()) {
      throw new IllegalArgumentException("worker.models names a model twice: " + models.stream().map(ModelBasePath::name).toList());
    }
    if (slots.isEmpty()) {
      throw new IllegalArgumentException("worker.slots must list at least one device slot");
    }
    if (drainGraceMillis < 0) {
      throw new IllegalArgumentException("worker.drain_grace_ms must be 0 or more, not " + drainGraceMillis);
    }
    if (drainTimeoutMillis <= 0) {
      throw new IllegalArgumentException("worker.drain_timeout_ms must be a positive number, not " + drainTimeoutMillis);
    }
    if (maxQueueSize < 1) {
      throw new IllegalArgumentException("worker.max_queue_size must be 1 or more, not " + maxQueueSize);
    }
  }

  /** Settings serving the model repository. */
  public WorkerConfig(Path modelRepository, List<SlotConfig> slots, long announceIntervalMillis, int defaultMaxBatchSize,
      long drainGraceMillis, long drainTimeoutMillis, int maxQueueSize) {
    this(modelRepository, slots, announceIntervalMillis, defaultMaxBatchSize, drainGraceMillis, drainTimeoutMillis,
        maxQueueSize, List.of(), ModelControlConfig.DEFAULT);
  }

  /** The same settings serving these models from their base paths instead of the repository. */
  public WorkerConfig withModels(List<ModelBasePath> basePaths) {
    return new WorkerConfig(modelRepository, slots, announceIntervalMillis, defaultMaxBatchSize, drainGraceMillis,
        drainTimeoutMillis, maxQueueSize, basePaths, control);
  }

  /** The same settings with another model control mode. */
  public WorkerConfig withControl(ModelControlConfig newControl) {
    return new WorkerConfig(modelRepository, slots, announceIntervalMillis, defaultMaxBatchSize, drainGraceMillis,
        drainTimeoutMillis, maxQueueSize, models, newControl);
  }

  /** Settings with the default queue bound. */
  public WorkerConfig(Path modelRepository, List<SlotConfig> slots, long announceIntervalMillis, int defaultMaxBatchSize,
      long drainGraceMillis, long drainTimeoutMillis) {
    this(modelRepository, slots, announceIntervalMillis, defaultMaxBatchSize, drainGraceMillis, drainTimeoutMillis,
        DEFAULT_MAX_QUEUE_SIZE);
  }

  /** Settings with the default graceful-leave times. */
  public WorkerConfig(Path modelRepository, List<SlotConfig> slots, long announceIntervalMillis, int defaultMaxBatchSize) {
    this(modelRepository, slots, announceIntervalMillis, defaultMaxBatchSize, DEFAULT_DRAIN_GRACE_MS,
        DEFAULT_DRAIN_TIMEOUT_MS);
  }

  static WorkerConfig fromJson(JsonObject j) {
    JsonObject session = ConfigValues.section(j, "worker", "session");
    SessionConfig.fromJson(session); // checked even where every slot sets its own
    Object slotsValue = ConfigValues.required(j, "worker", "slots");
    List<?> slots = slotsValue instanceof JsonArray a ? a.stream().toList() : ConfigValues.textList(j, "worker", "slots");
    return new WorkerConfig(
        Path.of(ConfigValues.text(j, "worker", "model_repository")),
        slots.stream().map(o -> SlotConfig.fromJson(o instanceof String s ? s.trim() : o, session)).toList(),
        ConfigValues.positiveLong(j, "worker", "announce_interval_ms"),
        ConfigValues.integer(j, "worker", "default_max_batch_size"),
        ConfigValues.nonNegativeLong(j, "worker", "drain_grace_ms"),
        ConfigValues.nonNegativeLong(j, "worker", "drain_timeout_ms"),
        ConfigValues.integer(j, "worker", "max_queue_size"),
        models(ConfigValues.required(j, "worker", "models")).stream().map(ModelBasePath::fromJson).toList(),
        ModelControlConfig.fromJson(j));
  }

  private static List<?> models(Object value) {
    if (!(value instanceof JsonArray a)) {
      throw new IllegalArgumentException("worker.models lists objects {name, base_path}, not " + value);
    }
    return a.stream().toList();
  }
}
