package io.maas.worker.device;

import io.maas.config.SlotConfig;
import io.maas.worker.instance.ModelLoader;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.runtime.OrtRuntime;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

/** A real device slot: ONNX Runtime sessions on the CPU or a GPU, run on the slot's worker threads. */
public final class OrtSlot implements DeviceSlot {
  private final WorkerExecutor executor;
  private final OrtRuntime.SlotOptions options;
  private final ModelLoader loader;

  private OrtSlot(WorkerExecutor executor, OrtRuntime.SlotOptions options, ModelLoader loader) {
    this.executor = executor;
    this.options = options;
    this.loader = loader;
  }

  static Future<DeviceSlot> open(WorkerExecutor executor, OrtRuntime runtime, SlotConfig slot, int defaultMaxBatchSize) {
    return executor.executeBlocking(() -> runtime.optionsFor(slot))
        .map(options -> new OrtSlot(executor, options, new ModelLoader(runtime, defaultMaxBatchSize)));
  }

  @Override
  public String device() {
    return options.effectiveDevice();
  }

  @Override
  public Future<ServedModel> load(ModelDefinition model, long version, ModelObserver observer) {
    return executor.executeBlocking(
        () -> new OrtModel(loader.load(model, version, options.options()), executor, observer), false);
  }

  @Override
  public void close() {
    options.close();
  }
}
