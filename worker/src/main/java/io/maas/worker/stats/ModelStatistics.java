package io.maas.worker.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The KServe/Triton statistics of one model version on one worker, since it was loaded: Triton's counters
 * and cumulative durations, kept in {@link LongAdder}s so that recording is cheap and thread-safe.
 *
 * <p>As in Triton: {@code success}, {@code fail} and {@code queue} count requests ({@code queue} and the
 * {@code compute_*} stats only for requests that ran); each request of a batch is charged the batch's full
 * compute durations, so {@code compute_infer.ns / compute_infer.count} is the mean compute time a request
 * saw. {@code inference_count} counts batch items of successful requests, {@code execution_count} model
 * executions, and {@code batch_stats} counts executions (and their durations) per batch size.
 * {@code cold_load_count} (maas's own) counts the times the version loaded because a request asked for a model
 * loaded nowhere (placed mode). {@code queue_outcomes} (maas's own) counts the requests that left the queue without
 * running, by why ({@code cancelled}, {@code timed_out}, {@code pushed_out}; each also a {@code fail}), and those
 * moved behind their level's others by a DELAY queue policy ({@code delayed}).
 */
public final class ModelStatistics implements ModelObserver {
  private final Duration success = new Duration();
  private final Duration fail = new Duration();
  private final Duration queue = new Duration();
  private final Duration computeInput = new Duration();
  private final Duration computeInfer = new Duration();
  private final Duration computeOutput = new Duration();
  private final LongAdder inferenceCount = new LongAdder();
  private final LongAdder executionCount = new LongAdder();
  private final LongAdder coldLoads = new LongAdder();
  private final Map<QueueOutcome, LongAdder> leftUnrun = counts();
  private final LongAdder delayed = new LongAdder();
  private final LongAccumulator lastInference = new LongAccumulator(Math::max, 0);
  private final Map<Long, BatchStats> batches = new ConcurrentHashMap<>();

  @Override
  public void executed(int requests, long batchSize, long inputNanos, long inferNanos, long outputNanos) {
    executionCount.increment();
    computeInput.add(requests, requests * inputNanos);
    computeInfer.add(requests, requests * inferNanos);
    computeOutput.add(requests, requests * outputNanos);
    BatchStats b = batches.computeIfAbsent(batchSize, k -> new BatchStats());
    b.input.add(1, inputNanos);
    b.infer.add(1, inferNanos);
    b.output.add(1, outputNanos);
  }

  @Override
  public void completed(boolean success, long items, long queueNanos, long totalNanos) {
    lastInference.accumulate(System.currentTimeMillis());
    if (success) {
      this.success.add(1, totalNanos);
      queue.add(1, queueNanos);
      inferenceCount.add(items);
    } else {
      fail.add(1, totalNanos);
    }
  }

  @Override
  public void rejected() {
    lastInference.accumulate(System.currentTimeMillis());
    fail.add(1, 0);
  }

  /** The version loaded cold: because a request asked for a model loaded nowhere. */
  public void coldLoaded() {
    coldLoads.increment();
  }

  @Override
  public void dequeued(String tenant, int level, long waitedNanos, QueueOutcome outcome) {
    if (outcome != QueueOutcome.RAN) {
      leftUnrun.get(outcome).increment();
    }
  }

  @Override
  public void delayed(String tenant, int level) {
    delayed.increment();
  }

  private static Map<QueueOutcome, LongAdder> counts() {
    Map<QueueOutcome, LongAdder> counts = new EnumMap<>(QueueOutcome.class);
    for (QueueOutcome o : QueueOutcome.values()) {
      counts.put(o, new LongAdder());
    }
    return counts;
  }

  /** Triton's {@code $model_stat} object for this model version. */
  public JsonObject toJson(String name, String version) {
    JsonArray batchStats = new JsonArray();
    new TreeMap<>(batches).forEach((size, b) -> batchStats.add(new JsonObject()
        .put("batch_size", size)
        .put("compute_input", b.input.toJson())
        .put("compute_infer", b.infer.toJson())
        .put("compute_output", b.output.toJson())));
    return new JsonObject()
        .put("name", name)
        .put("version", version)
        .put("last_inference", lastInference.get())
        .put("inference_count", inferenceCount.sum())
        .put("execution_count", executionCount.sum())
        .put("cold_load_count", coldLoads.sum())
        .put("queue_outcomes", new JsonObject()
            .put("cancelled", leftUnrun.get(QueueOutcome.CANCELLED).sum())
            .put("timed_out", leftUnrun.get(QueueOutcome.TIMED_OUT).sum())
            .put("pushed_out", leftUnrun.get(QueueOutcome.PUSHED_OUT).sum())
            .put("delayed", delayed.sum()))
        .put("inference_stats", new JsonObject()
            .put("success", success.toJson())
            .put("fail", fail.toJson())
            .put("queue", queue.toJson())
            .put("compute_input", computeInput.toJson())
            .put("compute_infer", computeInfer.toJson())
            .put("compute_output", computeOutput.toJson())
            .put("cache_hit", Duration.ZERO_JSON.copy())
            .put("cache_miss", Duration.ZERO_JSON.copy()))
        .put("batch_stats", batchStats);
  }

  /** Triton's {@code $duration_stat}: how many, and their cumulative nanoseconds. */
  private static final class Duration {
    static final JsonObject ZERO_JSON = new JsonObject().put("count", 0L).put("ns", 0L);
    final LongAdder count = new LongAdder();
    final LongAdder nanos = new LongAdder();

    void add(long n, long ns) {
      count.add(n);
      nanos.add(ns);
    }

    JsonObject toJson() {
      return new JsonObject().put("count", count.sum()).put("ns", nanos.sum());
    }
  }

  private static final class BatchStats {
    final Duration input = new Duration();
    final Duration infer = new Duration();
    final Duration output = new Duration();
  }
}
