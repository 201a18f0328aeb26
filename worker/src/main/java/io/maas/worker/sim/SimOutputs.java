package io.maas.worker.sim;

import io.maas.inference.InferenceRequest;
import io.maas.model.TensorSpec;
import io.maas.tensor.Tensor;
import io.maas.worker.instance.ModelSignature;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated device's answers: the requested outputs (all when none are named) in the model's output
 * order, with the declared datatypes and shapes, every element zero.
 *
 * <p>Shapes: a dynamic first dimension takes the request's batch size (the first input's first
 * dimension); any other dynamic dimension is 1. Values: every byte is 0, i.e. 0 / 0.0 / false for the
 * numeric and BOOL types and the empty string for BYTES.
 */
public final class SimOutputs {
  private SimOutputs() {}

  /** The batch size of a request: its first input's first dimension (1 for a scalar or no input). */
  public static long batchSize(InferenceRequest request) {
    if (request.inputs().isEmpty() || request.inputs().get(0).shape().length == 0) {
      return 1;
    }
    return request.inputs().get(0).shape()[0];
  }

  public static List<Tensor> outputs(ModelSignature signature, InferenceRequest request) {
    long batch = batchSize(request);
    List<Tensor> out = new ArrayList<>();
    for (TensorSpec spec : signature.outputs()) {
      if (request.outputs().isEmpty() || request.outputs().contains(spec.name())) {
        out.add(zeros(spec, batch));
      }
    }
    return out;
  }

  static Tensor zeros(TensorSpec spec, long batch) {
    long[] shape = spec.shape().clone();
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == -1) {
        shape[i] = i == 0 ? batch : 1;
      }
      elements *= shape[i];
    }
    // a BYTES element of length 0 is its 4-byte length prefix, all zeros
    int elementBytes = spec.datatype().isFixedSize() ? spec.datatype().elementSize() : 4;
    return new Tensor(spec.name(), spec.datatype(), shape, new byte[Math.toIntExact(elements * elementBytes)]);
  }
}
