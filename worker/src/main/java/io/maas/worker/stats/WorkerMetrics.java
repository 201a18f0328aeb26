package io.maas.worker.stats;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The Prometheus gauges of one worker verticle (tag {@code worker}): requests it holds, and its memory budget and
 * what its model versions take of it; see docs/metrics.md. Read at every scrape, from another thread: the
 * suppliers must be thread-safe and cheap. {@link #close()} removes them when the worker goes.
 */
public final class WorkerMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final String worker;
  private final List<Meter> meters = new ArrayList<>();

  /** @param inFlight requests the worker has taken and not answered yet */
  public WorkerMetrics(MeterRegistry registry, String worker, IntSupplier inFlight) {
    this.registry = registry;
    this.worker = worker;
    meters.add(Gauge.builder("maas.inference.in.flight", inFlight, IntSupplier::getAsInt)
        .description("requests this worker has taken and not answered yet (queued or running)")
        .tag("worker", worker)
        .strongReference(true)
        .register(registry));
  }

  /**
   * Registers the memory gauges, once the worker's budget is known.
   *
   * @param budgetBytes the slot's memory budget
   * @param usedBytes the footprints of the versions it holds now
   */
  public void watchMemory(long budgetBytes, LongSupplier usedBytes) {
    meters.add(Gauge.builder("maas.worker.memory.budget", () -> budgetBytes)
        .description("the slot's memory budget: placement never asks it to hold more (docs/placement.md)")
        .baseUnit("bytes")
        .tag("worker", worker)
        .strongReference(true)
        .register(registry));
    meters.add(Gauge.builder("maas.worker.memory.used", usedBytes, LongSupplier::getAsLong)
        .description("the footprints of the model versions the worker holds now (loading, ready or unloading)")
        .baseUnit("bytes")
        .tag("worker", worker)
        .strongReference(true)
        .register(registry));
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }
}
