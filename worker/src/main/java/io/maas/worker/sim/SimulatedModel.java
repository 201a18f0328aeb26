package io.maas.worker.sim;

import io.maas.config.SimConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.worker.batching.BatchClock;
import io.maas.worker.batching.BatchPolicy;
import io.maas.worker.batching.BatchResult;
import io.maas.worker.batching.BatchRunner;
import io.maas.worker.batching.DynamicBatcher;
import io.maas.worker.batching.Queueing;
import io.maas.worker.device.ServedModel;
import io.maas.worker.instance.BatchKeys;
import io.maas.worker.instance.ModelSignature;
import io.maas.worker.instance.RequestValidator;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.OptionalLong;

/**
 * A model version on the SIMULATED device: requests are validated exactly as on a real slot and go
 * through the same {@link DynamicBatcher} (same queue bound, same batching); each batch then holds one of
 * the model's instances for {@code sim_base_ms + sim_per_item_ms × batch items} (a Vert.x timer: no CPU
 * is used and no thread is blocked) and answers {@link SimOutputs zeros} of the declared output shapes.
 * The instance count bounds concurrency as on a real device.
 */
public final class SimulatedModel implements ServedModel {
  private final String name;
  private final String version;
  private final ModelSignature signature;
  private final int instances;
  private final long failUntilNanos;
  private final ModelObserver observer;
  private final DynamicBatcher batcher;
  private final long footprintBytes;

  /**
   * @param failUntilNanos {@link System#nanoTime()} before which every request fails with INTERNAL
   *     (the slot's {@code sim_fail_for_ms} window)
   * @param footprintBytes the memory it is taken to occupy on the simulated device
   */
  public SimulatedModel(Vertx vertx, String name, String version, ModelSignature signature, int instances,
      SimConfig sim, long failUntilNanos, BatchPolicy policy, BatchClock clock, ModelObserver observer,
      long footprintBytes) {
    if (instances < 1) {
      throw new IllegalArgumentException("a model needs at least one instance");
    }
    this.name = name;
    this.version = version;
    this.signature = signature;
    this.instances = instances;
    this.failUntilNanos = failUntilNanos;
    this.observer = observer;
    this.footprintBytes = footprintBytes;
    this.batcher = new DynamicBatcher("'" + name + "' version " + version, policy, instances,
        new Runner(vertx, name, version, signature, sim), clock, observer);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public int instanceCount() {
    return instances;
  }

  @Override
  public OptionalLong footprintBytes() {
    return OptionalLong.of(footprintBytes);
  }

  @Override
  public int queued() {
    return batcher.queued();
  }

  @Override
  public Future<InferenceResponse> infer(InferenceRequest request, Queueing queueing) {
    try {
      RequestValidator.validate(name, signature, request);
    } catch (MaasException e) {
      observer.completed(false, 1, 0, 0);
      return Future.failedFuture(e);
    }
    if (System.nanoTime() - failUntilNanos < 0) {
      observer.completed(false, 1, 0, 0);
      return Future.failedFuture(new MaasException(ErrorCode.INTERNAL,
          "simulated device failure (sim_fail_for_ms: the sim slot fails every request for a while after it starts)"));
    }
    return batcher.submit(request, queueing);
  }

  @Override
  public void close() {
    batcher.close();
  }

  /** Holds the instance for the simulated time of the whole batch, then answers zeros to each request. */
  private record Runner(Vertx vertx, String name, String version, ModelSignature signature, SimConfig sim)
      implements BatchRunner {
    @Override
    public Object batchKey(InferenceRequest request) {
      return BatchKeys.key(signature, request);
    }

    @Override
    public long items(InferenceRequest request) {
      return BatchKeys.items(signature, request);
    }

    @Override
    public Future<BatchResult> run(List<InferenceRequest> batch) {
      long items = batch.stream().mapToLong(SimOutputs::batchSize).sum();
      long started = System.nanoTime();
      return vertx.timer(Math.max(1, sim.holdMillis(items))).map(done -> new BatchResult(
          batch.stream().map(r -> BatchResult.Answer.of(
              new InferenceResponse(name, version, r.id(), SimOutputs.outputs(signature, r), null))).toList(),
          0, System.nanoTime() - started, 0));
    }
  }
}
