package io.maas.worker.stats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The Prometheus meters of one model version on one worker (tags {@code model}, {@code version},
 * {@code worker}), modelled on Triton's {@code nv_inference_*} family, and what it takes and how it came
 * ({@code maas_model_*}); see docs/metrics.md. {@link #close()} removes them from the registry when the model or
 * its worker goes away.
 */
public final class ModelMetrics implements ModelObserver, AutoCloseable {
  /** Histogram buckets for durations: 100 µs to 10 s. */
  static final Duration[] DURATION_BUCKETS = {
      Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
      Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  /** Histogram buckets for batch sizes. */
  static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private final MeterRegistry registry;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter success;
  private final Counter failure;
  private final Counter inferences;
  private final Counter executions;
  private final Timer requestDuration;
  private final Timer queueDuration;
  private final Timer computeInput;
  private final Timer computeInfer;
  private final Timer computeOutput;
  private final DistributionSummary batchSize;
  private final Counter coldLoads;

  public ModelMetrics(MeterRegistry registry, String model, String version, String worker) {
    this.registry = registry;
    this.tags = Tags.of("model", model, "version", version, "worker", worker);
    success = counter("maas.inference.request.success", "requests answered successfully (nv_inference_request_success)");
    failure = counter("maas.inference.request.failure",
        "requests that failed, refused ones (full queue) included (nv_inference_request_failure)");
    inferences = counter("maas.inference.count",
        "batch items of successful requests: a request of batch 8 counts 8 (nv_inference_count)");
    executions = counter("maas.inference.exec.count",
        "model executions: one per batch run, however many requests it merged (nv_inference_exec_count)");
    requestDuration = timer("maas.inference.request.duration",
        "successful requests, arrival at the worker to answer (nv_inference_request_duration_us)");
    queueDuration = timer("maas.inference.queue.duration",
        "successful requests, arrival at the worker to the start of their execution (nv_inference_queue_duration_us)");
    computeInput = timer("maas.inference.compute.input.duration",
        "per execution: preparing inputs (merging, conversion) (nv_inference_compute_input_duration_us)");
    computeInfer = timer("maas.inference.compute.infer.duration",
        "per execution: time in the model runtime (nv_inference_compute_infer_duration_us)");
    computeOutput = timer("maas.inference.compute.output.duration",
        "per execution: converting and splitting outputs (nv_inference_compute_output_duration_us)");
    batchSize = keep(DistributionSummary.builder("maas.inference.batch.size")
        .description("batch items per execution: the batching effect")
        .tags(tags)
        .serviceLevelObjectives(BATCH_BUCKETS)
        .register(registry));
    coldLoads = counter("maas.model.cold.loads",
        "times the version loaded because a request asked for a model loaded nowhere (placed mode)");
  }

  /**
   * Registers the live queue-depth gauge, read at every scrape (the autoscaling signal).
   *
   * @param queued the model's {@code ServedModel::queued}: thread-safe, cheap
   */
  public void watchQueue(IntSupplier queued) {
    keep(Gauge.builder("maas.inference.queue.depth", queued, IntSupplier::getAsInt)
        .description("requests waiting for an execution now (nv_inference_pending_request_count)")
        .tags(tags)
        .strongReference(true)
        .register(registry));
  }

  /**
   * Registers the gauge of the version's footprint: the memory it takes on its slot, read at every scrape.
   *
   * @param bytes thread-safe, cheap
   */
  public void watchFootprint(LongSupplier bytes) {
    keep(Gauge.builder("maas.model.footprint", bytes, LongSupplier::getAsLong)
        .description("memory the loaded version takes on its slot: measured as it loaded, else estimated "
            + "(docs/placement.md)")
        .baseUnit("bytes")
        .tags(tags)
        .strongReference(true)
        .register(registry));
  }

  /** The version loaded cold: because a request asked for a model loaded nowhere. */
  public void coldLoaded() {
    coldLoads.increment();
  }

  @Override
  public void executed(int requests, long batchSize, long inputNanos, long inferNanos, long outputNanos) {
    executions.increment();
    this.batchSize.record(batchSize);
    computeInput.record(inputNanos, TimeUnit.NANOSECONDS);
    computeInfer.record(inferNanos, TimeUnit.NANOSECONDS);
    computeOutput.record(outputNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void completed(boolean succeeded, long items, long queueNanos, long totalNanos) {
    if (succeeded) {
      success.increment();
      inferences.increment(items);
      requestDuration.record(totalNanos, TimeUnit.NANOSECONDS);
      queueDuration.record(queueNanos, TimeUnit.NANOSECONDS);
    } else {
      failure.increment();
    }
  }

  @Override
  public void rejected() {
    failure.increment();
  }

  /** Removes this model version's meters from the registry. */
  @Override
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }

  private Counter counter(String name, String description) {
    return keep(Counter.builder(name).description(description).tags(tags).register(registry));
  }

  private Timer timer(String name, String description) {
    return keep(Timer.builder(name).description(description).tags(tags)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry));
  }

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }
}
