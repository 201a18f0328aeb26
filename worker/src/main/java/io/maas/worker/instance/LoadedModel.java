package io.maas.worker.instance;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.Tensor;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One model version loaded on one device slot: its signature and its instances. A request borrows an
 * idle instance for the length of one run, so each instance runs one request at a time.
 */
public final class LoadedModel implements AutoCloseable {
  private final String name;
  private final String version;
  private final ModelSignature signature;
  private final List<ModelInstance> instances;
  private final BlockingQueue<ModelInstance> idle;

  public LoadedModel(String name, String version, ModelSignature signature, List<ModelInstance> instances) {
    this.name = name;
    this.version = version;
    this.signature = signature;
    this.instances = List.copyOf(instances);
    this.idle = new ArrayBlockingQueue<>(instances.size(), false, instances);
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public ModelSignature signature() {
    return signature;
  }

  public int instanceCount() {
    return instances.size();
  }

  /** Validates and runs a request. Blocks: call it on a worker thread. */
  public InferenceResponse infer(InferenceRequest request) {
    RequestValidator.validate(name, signature, request);
    ModelInstance instance;
    try {
      instance = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MaasException(ErrorCode.UNAVAILABLE, "interrupted while waiting for an instance of " + name);
    }
    try {
      List<Tensor> outputs = instance.run(request, signature.outputNames());
      return new InferenceResponse(name, version, request.id(), outputs, null);
    } finally {
      idle.add(instance);
    }
  }

  @Override
  public void close() throws Exception {
    for (ModelInstance i : instances) {
      i.close();
    }
  }
}
