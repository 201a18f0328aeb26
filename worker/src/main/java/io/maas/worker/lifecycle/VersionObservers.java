package io.maas.worker.lifecycle;

import io.maas.worker.device.ServedModel;
import io.maas.worker.stats.ModelMetrics;
import io.maas.worker.stats.ModelObserver;
import io.maas.worker.stats.ModelObservers;
import io.maas.worker.stats.ModelStatistics;
import io.maas.worker.stats.QueueMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A model version's statistics (KServe) and meters (Prometheus). They outlive a reload of the version (the
 * new model takes over the same counters, and the queue and footprint gauges follow the model serving now) and
 * go when the version is unloaded.
 */
final class VersionObservers {
  private final ModelStatistics statistics = new ModelStatistics();
  private final ModelMetrics metrics;
  private final QueueMetrics queue;
  /** Read by scrapes, from another thread. */
  private volatile ServedModel serving;
  /** The footprint of the model serving: read by scrapes, from another thread. */
  private volatile long footprintBytes;
  private boolean footprintWatched;

  VersionObservers(MeterRegistry meters, String model, String version, String worker) {
    metrics = new ModelMetrics(meters, model, version, worker);
    queue = new QueueMetrics(meters, model, version, worker);
    metrics.watchQueue(() -> {
      ServedModel m = serving;
      return m == null ? 0 : m.queued();
    });
  }

  /** What the model reports to, every record at once. */
  ModelObserver observer() {
    return ModelObservers.both(ModelObservers.both(statistics, metrics), queue);
  }

  ModelStatistics statistics() {
    return statistics;
  }

  /** The model now serving the version: the queue gauge reads its queue, the footprint gauge its footprint. */
  void serving(ServedModel model, long footprintBytes) {
    serving = model;
    this.footprintBytes = footprintBytes;
    if (!footprintWatched) {
      footprintWatched = true;
      metrics.watchFootprint(() -> this.footprintBytes);
    }
  }

  /** The version loaded cold: counted in its statistics and its meter. */
  void coldLoaded() {
    statistics.coldLoaded();
    metrics.coldLoaded();
  }

  /** Removes the version's meters. */
  void close() {
    metrics.close();
    queue.close();
  }
}
