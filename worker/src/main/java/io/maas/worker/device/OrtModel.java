package io.maas.worker.device;

import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.worker.batching.BatchClock;
import io.maas.worker.batching.BatchPolicy;
import io.maas.worker.batching.BatchResult;
import io.maas.worker.batching.BatchRunner;
import io.maas.worker.batching.DynamicBatcher;
import io.maas.worker.batching.Queueing;
import io.maas.worker.instance.BatchKeys;
import io.maas.worker.instance.LoadedModel;
import io.maas.worker.instance.ModelSignature;
import io.maas.worker.instance.RequestValidator;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.OptionalLong;

/**
 * A model loaded into ONNX Runtime sessions behind its {@link DynamicBatcher}: requests are validated,
 * queued, and run in batches on the slot's worker threads (session runs block).
 */
final class OrtModel implements ServedModel {
  private final LoadedModel model;
  private final DynamicBatcher batcher;
  private final ModelObserver observer;
  private final OptionalLong footprintBytes;

  /** @param footprintBytes what creating its sessions took, measured; empty where it could not be */
  OrtModel(LoadedModel model, BatchPolicy policy, WorkerExecutor executor, BatchClock clock, ModelObserver observer,
      OptionalLong footprintBytes) {
    this.model = model;
    this.observer = observer;
    this.footprintBytes = footprintBytes;
    this.batcher = new DynamicBatcher("'" + model.name() + "' version " + model.version(), policy,
        model.instanceCount(), new Runner(model, executor, policy.batching()), clock, observer);
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public String version() {
    return model.version();
  }

  @Override
  public ModelSignature signature() {
    return model.signature();
  }

  @Override
  public int instanceCount() {
    return model.instanceCount();
  }

  @Override
  public String sha256() {
    return model.sha256();
  }

  @Override
  public OptionalLong footprintBytes() {
    return footprintBytes;
  }

  @Override
  public Future<InferenceResponse> infer(InferenceRequest request, Queueing queueing) {
    try {
      RequestValidator.validate(model.name(), model.signature(), request);
    } catch (MaasException e) {
      observer.completed(false, 1, 0, 0);
      return Future.failedFuture(e);
    }
    return batcher.submit(request, queueing);
  }

  @Override
  public int queued() {
    return batcher.queued();
  }

  @Override
  public void close() throws Exception {
    batcher.close();
    model.close();
  }

  /** Runs a batch as one merged execution (or one request alone) on a worker thread. */
  private record Runner(LoadedModel model, WorkerExecutor executor, boolean merge) implements BatchRunner {
    @Override
    public Object batchKey(InferenceRequest request) {
      return BatchKeys.key(model.signature(), request);
    }

    @Override
    public long items(InferenceRequest request) {
      return BatchKeys.items(model.signature(), request);
    }

    @Override
    public Future<BatchResult> run(List<InferenceRequest> batch) {
      return executor.executeBlocking(() -> model.runBatch(batch, merge), false);
    }
  }
}
