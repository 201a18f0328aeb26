package io.maas.worker.instance;

import io.maas.model.TensorSpec;
import java.util.List;
import java.util.Optional;

/**
 * What a loaded model takes and gives: inputs and outputs with full shapes (the batch dimension
 * included, as -1, when {@code maxBatchSize > 0}).
 */
public record ModelSignature(int maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs) {

  public ModelSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public Optional<TensorSpec> input(String name) {
    return inputs.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<TensorSpec> output(String name) {
    return outputs.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public List<String> inputNames() {
    return inputs.stream().map(TensorSpec::name).toList();
  }

  public List<String> outputNames() {
    return outputs.stream().map(TensorSpec::name).toList();
  }
}
