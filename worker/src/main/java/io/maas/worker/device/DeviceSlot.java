package io.maas.worker.device;

import io.maas.config.SlotConfig;
import io.maas.worker.memory.FootprintMeter;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.runtime.OrtRuntime;
import io.maas.worker.sim.SimSlot;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * What runs requests on one device slot, chosen by the slot's device: ONNX Runtime sessions on
 * {@code cpu} or {@code cuda:N} ({@link OrtSlot}), or the SIMULATED device {@code sim} ({@link SimSlot}).
 */
public interface DeviceSlot {

  /**
   * Opens the slot named by the configuration.
   *
   * @param executor the worker verticle's executor, for blocking work (loading, ORT runs, closing)
   * @param defaultMaxBatchSize see {@link io.maas.config.WorkerConfig#defaultMaxBatchSize()}
   * @param defaultMaxQueueSize see {@link io.maas.config.WorkerConfig#maxQueueSize()}
   * @param meter the process's, measuring what each version takes as it loads on a real device
   */
  static Future<DeviceSlot> open(Vertx vertx, WorkerExecutor executor, OrtRuntime runtime, SlotConfig slot,
      int defaultMaxBatchSize, int defaultMaxQueueSize, FootprintMeter meter) {
    return slot.isSim()
        ? SimSlot.open(vertx, executor, runtime, slot.sim(), defaultMaxBatchSize, defaultMaxQueueSize)
        : OrtSlot.open(executor, runtime, slot, defaultMaxBatchSize, defaultMaxQueueSize, meter);
  }

  /** The device the slot really runs on, as announced: {@code cpu}, {@code cuda:0}, {@code sim}... */
  String device();

  /**
   * Loads one version of a model onto this slot.
   *
   * @param observer told of every execution and answer of this model version
   */
  Future<ServedModel> load(ModelDefinition model, long version, ModelObserver observer);

  /** Releases the slot's own resources, once its models are closed. Blocking: call it on a worker thread. */
  void close();
}
