package io.maas.worker.device;

import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.worker.instance.LoadedModel;
import io.maas.worker.instance.ModelSignature;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

/** A model loaded into ONNX Runtime sessions; its runs block, so they go to the slot's worker threads. */
final class OrtModel implements ServedModel {
  private final LoadedModel model;
  private final WorkerExecutor executor;
  private final ModelObserver observer;

  OrtModel(LoadedModel model, WorkerExecutor executor, ModelObserver observer) {
    this.model = model;
    this.executor = executor;
    this.observer = observer;
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
  public Future<InferenceResponse> infer(InferenceRequest request) {
    long arrived = System.nanoTime();
    return executor.executeBlocking(() -> {
      long started = System.nanoTime();
      InferenceResponse response = model.infer(request);
      observer.executed(1, 1, 0, System.nanoTime() - started, 0);
      return response;
    }, false).andThen(done -> observer.completed(done.succeeded(), 1, 0, System.nanoTime() - arrived));
  }

  @Override
  public void close() throws Exception {
    model.close();
  }
}
