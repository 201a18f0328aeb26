package io.maas.worker.instance;

import io.maas.model.TensorSpec;
import io.maas.tensor.Shapes;
import io.maas.worker.repository.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Combines what the ONNX model declares with the model's configuration (Triton's auto-complete):
 * everything the configuration leaves out comes from the model; everything it states must agree with it.
 */
public final class SignatureResolver {
  private SignatureResolver() {}

  /**
   * @param config the model configuration
   * @param modelInputs inputs as the ONNX model declares them (full shapes, -1 for dynamic)
   * @param modelOutputs outputs likewise
   * @param defaultMaxBatchSize max_batch_size for a config without one when every tensor's first dim is dynamic
   * @throws IllegalArgumentException when the configuration contradicts the model
   */
  public static ModelSignature resolve(
      ModelConfig config, List<TensorSpec> modelInputs, List<TensorSpec> modelOutputs, int defaultMaxBatchSize) {
    int maxBatch;
    if (config.maxBatchSize() != null) {
      maxBatch = config.maxBatchSize();
    } else {
      boolean batchable = !modelInputs.isEmpty()
          && allDynamicFirstDim(modelInputs) && allDynamicFirstDim(modelOutputs);
      maxBatch = batchable ? defaultMaxBatchSize : 0;
    }
    if (maxBatch > 0) {
      for (TensorSpec s : concat(modelInputs, modelOutputs)) {
        if (s.shape().length == 0 || s.shape()[0] != -1) {
          throw new IllegalArgumentException("max_batch_size is " + maxBatch + " but '" + s.name()
              + "' has shape " + Shapes.format(s.shape()) + " without a dynamic first (batch) dimension");
        }
      }
    }
    return new ModelSignature(
        maxBatch,
        merge("input", config.inputs(), modelInputs, maxBatch),
        merge("output", config.outputs(), modelOutputs, maxBatch));
  }

  private static boolean allDynamicFirstDim(List<TensorSpec> specs) {
    return specs.stream().allMatch(s -> s.shape().length > 0 && s.shape()[0] == -1);
  }

  private static List<TensorSpec> merge(String kind, List<TensorSpec> declared, List<TensorSpec> model, int maxBatch) {
    Map<String, TensorSpec> byName = new LinkedHashMap<>();
    model.forEach(s -> byName.put(s.name(), s));
    for (TensorSpec d : declared) {
      TensorSpec m = byName.get(d.name());
      if (m == null) {
        throw new IllegalArgumentException("configured " + kind + " '" + d.name() + "' is not in the model; the model's "
            + kind + "s are " + byName.keySet());
      }
      if (d.datatype() != m.datatype()) {
        throw new IllegalArgumentException("configured " + kind + " '" + d.name() + "' is " + d.datatype()
            + " but the model declares " + m.datatype());
      }
      long[] full = narrowest(m.shape(), maxBatch > 0 ? withBatch(d.shape()) : d.shape());
      if (full == null) {
        throw new IllegalArgumentException("configured " + kind + " '" + d.name() + "' has dims "
            + Shapes.format(d.shape()) + (maxBatch > 0 ? " (plus the batch dimension)" : "")
            + " but the model declares " + Shapes.format(m.shape()));
      }
      byName.put(d.name(), new TensorSpec(d.name(), d.datatype(), full));
    }
    return new ArrayList<>(byName.values());
  }

  private static long[] withBatch(long[] dims) {
    long[] full = new long[dims.length + 1];
    full[0] = -1;
    System.arraycopy(dims, 0, full, 1, dims.length);
    return full;
  }

  /**
   * The more specific of two shapes that agree (a configured shape may fix a dynamic model dimension),
   * or null where they contradict each other.
   */
  private static long[] narrowest(long[] model, long[] configured) {
    if (model.length != configured.length) {
      return null;
    }
    long[] out = new long[model.length];
    for (int i = 0; i < model.length; i++) {
      if (model[i] != -1 && configured[i] != -1 && model[i] != configured[i]) {
        return null;
      }
      out[i] = model[i] != -1 ? model[i] : configured[i];
    }
    return out;
  }

  private static List<TensorSpec> concat(List<TensorSpec> a, List<TensorSpec> b) {
    List<TensorSpec> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
