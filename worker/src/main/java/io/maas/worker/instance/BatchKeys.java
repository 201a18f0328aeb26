package io.maas.worker.instance;

import io.maas.inference.InferenceRequest;
import io.maas.model.TextSpec;
import io.maas.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The batch key and batch items of a validated request, from the model's signature. Tensor requests
 * batch with requests whose inputs have the same names, datatypes and non-batch dimensions; text
 * requests (strings for a text model) batch with each other, whatever their lengths (the model groups
 * their texts by token length); and only requests asking for the same outputs share an execution.
 */
public final class BatchKeys {
  private BatchKeys() {}

  public static Object key(ModelSignature signature, InferenceRequest request) {
    List<String> wanted = signature.wantedOutputs(request);
    Tensor text = textInput(signature, request);
    return text != null ? List.of(wanted, "text:" + text.name()) : tensorKey(request.inputs(), wanted);
  }

  /**
   * What tensors must share to run merged along dimension 0: input names, datatypes and non-batch
   * dimensions, and the outputs asked for.
   */
  public static List<Object> tensorKey(List<Tensor> inputs, List<String> wanted) {
    List<Object> key = new ArrayList<>();
    key.add(wanted);
    inputs.stream().sorted(Comparator.comparing(Tensor::name)).forEach(t -> {
      key.add(t.name());
      key.add(t.datatype());
      key.add(Arrays.toString(Arrays.copyOfRange(t.shape(), Math.min(1, t.shape().length), t.shape().length)));
    });
    return key;
  }

  /** The texts of a text request; the batch dimension of a tensor request; 1 without a batch dimension. */
  public static long items(ModelSignature signature, InferenceRequest request) {
    Tensor text = textInput(signature, request);
    if (text != null) {
      return text.shape()[0];
    }
    if (signature.maxBatchSize() == 0 || request.inputs().isEmpty() || request.inputs().get(0).shape().length == 0) {
      return 1;
    }
    return request.inputs().get(0).shape()[0];
  }

  private static Tensor textInput(ModelSignature signature, InferenceRequest request) {
    TextSpec text = signature.text();
    if (text == null) {
      return null;
    }
    return request.inputs().stream().filter(t -> t.name().equals(text.input())).findFirst().orElse(null);
  }
}
