package io.maas.worker.instance;

import io.maas.inference.InferenceRequest;
import io.maas.model.TensorSpec;
import io.maas.model.TextSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a loaded model takes and gives: inputs and outputs with full shapes (the batch dimension
 * included, as -1, when {@code maxBatchSize > 0}). A text model also lists its text input and pooled
 * output; the text input is an alternative to the token inputs, not an addition.
 *
 * @param maxBatchSize Triton's max_batch_size
 * @param inputs every input, the text input of a text model included
 * @param outputs every output, the pooled output of a text model included
 * @param text how a text model takes text, or null
 */
public record ModelSignature(int maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs, TextSpec text) {

  public ModelSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** The signature of a model that takes no text. */
  public ModelSignature(int maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    this(maxBatchSize, inputs, outputs, null);
  }

  /** This signature plus a text input and a pooled output. */
  public ModelSignature withText(TensorSpec textInput, TensorSpec pooledOutput, TextSpec spec) {
    List<TensorSpec> in = new ArrayList<>(inputs);
    in.add(textInput);
    List<TensorSpec> out = new ArrayList<>(outputs);
    out.add(pooledOutput);
    return new ModelSignature(maxBatchSize, in, out, spec);
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

  /** The inputs a request without text must carry: all of them but the text input. */
  public List<String> tokenInputNames() {
    return inputs.stream().map(TensorSpec::name).filter(n -> text == null || !n.equals(text.input())).toList();
  }

  public List<String> outputNames() {
    return outputs.stream().map(TensorSpec::name).toList();
  }

  /** The outputs a request gets, in the model's output order: those it names, or all. */
  public List<String> wantedOutputs(InferenceRequest request) {
    return outputNames().stream()
        .filter(n -> request.outputs().isEmpty() || request.outputs().contains(n)).toList();
  }
}
