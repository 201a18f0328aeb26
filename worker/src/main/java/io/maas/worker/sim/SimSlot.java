package io.maas.worker.sim;

import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.maas.config.SimConfig;
import io.maas.worker.batching.SystemBatchClock;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.device.ServedModel;
import io.maas.worker.instance.ModelLoader;
import io.maas.worker.instance.ModelSignature;
import io.maas.worker.instance.WarmupSamples;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.runtime.OrtRuntime;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sim} device slot: a SIMULATION of an accelerator for capacity work on machines without
 * GPUs. It reads each model's signature the way a real slot does (from a session opened only for that,
 * then closed), and serves {@link SimulatedModel}s that hold an instance for a configured time instead
 * of computing anything. Warmup samples are checked as on a real slot, not run. A model version is taken to
 * occupy its configuration's {@code memory_mb}, else the slot's {@code sim_model_mb}: that is its footprint.
 */
public final class SimSlot implements DeviceSlot {
  public static final String DEVICE = "sim";
  private static final long MIB = 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(SimSlot.class);

  private final Vertx vertx;
  private final WorkerExecutor executor;
  private final SimConfig sim;
  private final SessionOptions metadataOptions;
  private final ModelLoader loader;
  private final long failUntilNanos;
  private final int defaultMaxQueueSize;
  private final ScheduledExecutorService batchTimer = SystemBatchClock.newTimer(DEVICE);

  private SimSlot(Vertx vertx, WorkerExecutor executor, SimConfig sim, SessionOptions metadataOptions,
      ModelLoader loader, int defaultMaxQueueSize) {
    this.vertx = vertx;
    this.defaultMaxQueueSize = defaultMaxQueueSize;
    this.executor = executor;
    this.sim = sim;
    this.metadataOptions = metadataOptions;
    this.loader = loader;
    this.failUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sim.failForMillis());
  }

  /** Opens a sim slot; its {@code sim_fail_for_ms} window starts now. */
  public static Future<DeviceSlot> open(Vertx vertx, WorkerExecutor executor, OrtRuntime runtime, SimConfig sim,
      int defaultMaxBatchSize, int defaultMaxQueueSize) {
    return executor.executeBlocking(() -> {
      // sessions opened only to read a model's inputs and outputs: no graph optimisation, one thread
      SessionOptions options = new SessionOptions();
      options.setOptimizationLevel(OptLevel.NO_OPT);
      options.setIntraOpNumThreads(1);
      return new SimSlot(vertx, executor, sim, options, new ModelLoader(runtime, defaultMaxBatchSize),
          defaultMaxQueueSize);
    });
  }

  @Override
  public String device() {
    return DEVICE;
  }

  @Override
  public Future<ServedModel> load(ModelDefinition model, long version, ModelObserver observer) {
    SystemBatchClock clock = SystemBatchClock.onCurrentContext(batchTimer);
    return executor.executeBlocking(() -> {
      ModelSignature signature = loader.readSignature(model, version, metadataOptions);
      checkWarmup(model, version, signature);
      return signature;
    }, false)
        .map(signature -> new SimulatedModel(vertx, model.name(), Long.toString(version), signature,
            model.config().placement().count(), sim, failUntilNanos,
            model.config().batchPolicy(signature.maxBatchSize(), defaultMaxQueueSize), clock,
            observer, footprintBytes(model)));
  }

  /** What a version of the model is taken to occupy: its {@code memory_mb}, else the slot's {@code sim_model_mb}. */
  private long footprintBytes(ModelDefinition model) {
    long stated = model.config().memoryEstimateBytes();
    return stated > 0 ? stated : sim.modelMb() * MIB;
  }

  /**
   * A model's warmup samples are made and checked as on a real slot (a sample that does not fit the model fails
   * the load here too), but not run: the simulated device has nothing to warm up.
   */
  private static void checkWarmup(ModelDefinition model, long version, ModelSignature signature) {
    if (model.config().warmup().isEmpty()) {
      return;
    }
    WarmupSamples.of(model.name(), Long.toString(version), signature, model.config().warmup(),
        model.directory(version));
    LOG.info("model {} version {}: {} warmup sample(s) checked, not run (the sim device computes nothing)",
        model.name(), version, model.config().warmup().size());
  }

  @Override
  public void close() {
    batchTimer.shutdownNow();
    metadataOptions.close();
  }
}
