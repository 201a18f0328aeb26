package io.maas.worker.device;

import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.worker.instance.LoadedModel;
import io.maas.worker.instance.ModelSignature;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

/** A model loaded into ONNX Runtime sessions; its runs block, so they go to the slot's worker threads. */
final class OrtModel implements ServedModel {
  private final LoadedModel model;
  private final WorkerExecutor executor;

  OrtModel(LoadedModel model, WorkerExecutor executor) {
    this.model = model;
    this.executor = executor;
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
    return executor.executeBlocking(() -> model.infer(request), false);
  }

  @Override
  public void close() throws Exception {
    model.close();
  }
}
