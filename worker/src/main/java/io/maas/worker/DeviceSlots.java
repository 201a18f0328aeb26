package io.maas.worker;

import io.maas.config.SlotConfig;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.device.OrtSlot;
import io.maas.worker.memory.FootprintMeter;
import io.maas.worker.runtime.OrtRuntime;
import io.maas.worker.sim.SimSlot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Opens the {@link DeviceSlot} a slot's device names: ONNX Runtime sessions on {@code cpu} or {@code cuda:N}
 * ({@link OrtSlot}), or the SIMULATED device {@code sim} ({@link SimSlot}). The choice lives here, above both
 * implementations, so that {@code device} does not name {@code sim}, which implements it.
 */
public final class DeviceSlots {
  private DeviceSlots() {}

  /**
   * Opens the slot named by the configuration.
   *
   * @param executor the worker verticle's executor, for blocking work (loading, ORT runs, closing)
   * @param defaultMaxBatchSize see {@link io.maas.config.WorkerConfig#defaultMaxBatchSize()}
   * @param defaultMaxQueueSize see {@link io.maas.config.WorkerConfig#maxQueueSize()}
   * @param meter the process's, measuring what each version takes as it loads on a real device
   */
  public static Future<DeviceSlot> open(Vertx vertx, WorkerExecutor executor, OrtRuntime runtime, SlotConfig slot,
      int defaultMaxBatchSize, int defaultMaxQueueSize, FootprintMeter meter) {
    return slot.isSim()
        ? SimSlot.open(vertx, executor, runtime, slot.sim(), defaultMaxBatchSize, defaultMaxQueueSize)
        : OrtSlot.open(executor, runtime, slot, defaultMaxBatchSize, defaultMaxQueueSize, meter);
  }
}
