package io.maas.worker.stats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queue of one model version on one worker, per API key and priority level ({@code maas_queue_*}): how many
 * wait, how long those that ran waited, and how many left without running, by why. A key's meters appear with its
 * first request. {@link #close()} removes them.
 */
public final class QueueMetrics implements ModelObserver, AutoCloseable {
  /** The {@code key} label of requests made without API keys. */
  static final String NO_KEY = "none";

  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<String, Flow> flows = new ConcurrentHashMap<>();
  private final List<Meter> meters = new ArrayList<>();

  public QueueMetrics(MeterRegistry registry, String model, String version, String worker) {
    this.registry = registry;
    this.tags = Tags.of("model", model, "version", version, "worker", worker);
  }

  /** One key's meters at one level. */
  private final class Flow {
    final AtomicInteger depth = new AtomicInteger();
    final Timer wait;
    final Counter cancelled;
    final Counter timedOut;
    final Counter pushedOut;
    final Counter delayed;

    Flow(Tags flowTags) {
      keep(Gauge.builder("maas.queue.depth", depth, AtomicInteger::get)
          .description("requests of the key waiting at the priority level now").tags(flowTags).register(registry));
      wait = keep(Timer.builder("maas.queue.wait").description("how long the key's requests that ran waited in the "
          + "queue at the priority level").tags(flowTags).register(registry));
      cancelled = counter("maas.queue.cancelled", "requests whose client went away while they waited: never run",
          flowTags);
      timedOut = counter("maas.queue.timeouts", "requests whose deadline or queue timeout (REJECT) passed while they "
          + "waited: answered DEADLINE_EXCEEDED, never run", flowTags);
      pushedOut = counter("maas.queue.pushed.out", "requests that gave their place in a full queue to a key with a "
          + "smaller share: answered UNAVAILABLE, never run", flowTags);
      delayed = counter("maas.queue.delayed", "requests moved behind their level's others when their queue timeout "
          + "passed (DELAY)", flowTags);
    }

    private Counter counter(String name, String description, Tags flowTags) {
      return keep(Counter.builder(name).description(description).tags(flowTags).register(registry));
    }
  }

  private Flow flow(String tenant, int level) {
    return flows.computeIfAbsent(tenant + " " + level, k -> {
      synchronized (meters) {
        return new Flow(tags.and("key", tenant.isEmpty() ? NO_KEY : tenant, "priority", Integer.toString(level)));
      }
    });
  }

  @Override
  public void enqueued(String tenant, int level) {
    flow(tenant, level).depth.incrementAndGet();
  }

  @Override
  public void dequeued(String tenant, int level, long waitedNanos, QueueOutcome outcome) {
    Flow f = flow(tenant, level);
    f.depth.decrementAndGet();
    switch (outcome) {
      case RAN -> f.wait.record(waitedNanos, TimeUnit.NANOSECONDS);
      case CANCELLED -> f.cancelled.increment();
      case TIMED_OUT -> f.timedOut.increment();
      case PUSHED_OUT -> f.pushedOut.increment();
      case UNLOADED -> { }
    }
  }

  @Override
  public void delayed(String tenant, int level) {
    flow(tenant, level).delayed.increment();
  }

  @Override
  public void close() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }
}
