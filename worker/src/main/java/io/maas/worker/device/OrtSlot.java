package io.maas.worker.device;

import io.maas.config.SlotConfig;
import io.maas.worker.batching.BatchPolicy;
import io.maas.worker.batching.SystemBatchClock;
import io.maas.worker.instance.LoadedModel;
import io.maas.worker.instance.ModelLoader;
import io.maas.worker.instance.Warmup;
import io.maas.worker.memory.FootprintMeter;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.runtime.OrtRuntime;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A real device slot: ONNX Runtime sessions on the CPU or a GPU, run on the slot's worker threads. A version
 * is loaded and warmed up ({@code model_warmup}) in one task on those threads; its future completes after both.
 * Creating a version's sessions is measured by the process's {@link FootprintMeter} (warmup is not: what a run
 * allocates belongs to running, not to holding the model).
 */
public final class OrtSlot implements DeviceSlot {
  private final WorkerExecutor executor;
  private final OrtRuntime.SlotOptions options;
  private final ModelLoader loader;
  private final int defaultMaxQueueSize;
  private final ScheduledExecutorService batchTimer;
  private final FootprintMeter meter;

  private OrtSlot(WorkerExecutor executor, OrtRuntime.SlotOptions options, ModelLoader loader, int defaultMaxQueueSize,
      FootprintMeter meter) {
    this.executor = executor;
    this.meter = meter;
    this.options = options;
    this.loader = loader;
    this.defaultMaxQueueSize = defaultMaxQueueSize;
    this.batchTimer = SystemBatchClock.newTimer(options.effectiveDevice());
  }

  /** Opens an ONNX Runtime slot on the configured device ({@code cpu} or {@code cuda:N}). */
  public static Future<DeviceSlot> open(WorkerExecutor executor, OrtRuntime runtime, SlotConfig slot, int defaultMaxBatchSize,
      int defaultMaxQueueSize, FootprintMeter meter) {
    return executor.executeBlocking(() -> runtime.optionsFor(slot))
        .map(options -> new OrtSlot(executor, options, new ModelLoader(runtime, defaultMaxBatchSize),
            defaultMaxQueueSize, meter));
  }

  @Override
  public String device() {
    return options.effectiveDevice();
  }

  @Override
  public Future<ServedModel> load(ModelDefinition model, long version, ModelObserver observer) {
    SystemBatchClock clock = SystemBatchClock.onCurrentContext(batchTimer);
    return executor.executeBlocking(() -> {
      FootprintMeter.Measured<LoadedModel> measured = meter.measure(model.versions().get(version),
          () -> loader.load(model, version, options.options()));
      LoadedModel loaded = measured.value();
      try {
        BatchPolicy policy = model.config().batchPolicy(loaded.signature().maxBatchSize(), defaultMaxQueueSize);
        // before the future completes: the version stays LOADING (a reload: the old one serves) until it ran
        Warmup.run(loaded, model.config().warmup(), model.directory(version), policy.batching(), observer);
        return new OrtModel(loaded, policy, executor, clock, observer, measured.footprintBytes());
      } catch (RuntimeException e) {
        loaded.close();
        throw e;
      }
    }, false);
  }

  @Override
  public void close() {
    batchTimer.shutdownNow();
    options.close();
  }
}
