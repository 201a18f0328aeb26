package io.maas.worker.batching;

import io.maas.inference.InferenceRequest;
import io.vertx.core.Future;
import java.util.List;

/**
 * What runs the batches a {@link DynamicBatcher} forms on one instance of a model: ONNX Runtime sessions
 * or the simulated device. The requests it gets were validated against the model's signature.
 */
public interface BatchRunner {

  /**
   * What a request must share with others to be merged into one execution: datatypes and non-batch
   * dimensions of its inputs, and the outputs it asks for. Requests with equal keys may be batched.
   */
  Object batchKey(InferenceRequest request);

  /** The batch items a request holds (its batch dimension; 1 for a model without one). */
  long items(InferenceRequest request);

  /**
   * Runs one batch on a free instance and answers each of its requests. The future completes when the
   * instance is free again; it fails only when the batch could not run at all.
   */
  Future<BatchResult> run(List<InferenceRequest> batch);
}
