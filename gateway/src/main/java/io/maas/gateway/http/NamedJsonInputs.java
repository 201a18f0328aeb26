package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.error.MaasException;
import io.maas.model.ModelStatus;
import io.maas.model.TensorSpec;
import io.maas.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named input values given as nested JSON arrays and nothing else (TF Serving, the simple predict call):
 * each shape is the nesting, each datatype the one the model declares for that input.
 */
public final class NamedJsonInputs {
  private NamedJsonInputs() {}

  /**
   * One tensor per named value, in the order given.
   *
   * @throws MaasException INVALID_ARGUMENT for an input the model does not take, ragged nesting, a
   *     value its datatype cannot hold, or more inputs or elements than the limits allow
   */
  public static List<Tensor> decode(ModelStatus model, Map<String, ?> values, EdgeLimits limits) {
    if (values.isEmpty()) {
      throw MaasException.invalid("no inputs given; model '%s' takes %s", model.name(), names(model.inputs()));
    }
    if (values.size() > limits.maxTensors()) {
      throw MaasException.invalid("%d inputs is over the limit of %d", values.size(), limits.maxTensors());
    }
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    model.inputs().forEach(s -> specs.put(s.name(), s));
    List<Tensor> tensors = new ArrayList<>(values.size());
    values.forEach((name, value) -> {
      TensorSpec spec = specs.get(name);
      if (spec == null) {
        throw MaasException.invalid("unexpected input '%s': model '%s' takes %s", name, model.name(), specs.keySet());
      }
      tensors.add(JsonTensors.fromNested(name, spec.datatype(), value, limits.maxTensorElements()));
    });
    return tensors;
  }

  /** The model's only input, for the formats that may leave the name out. */
  public static String onlyInput(ModelStatus model) {
    if (model.inputs().size() != 1) {
      throw MaasException.invalid("model '%s' takes %d inputs %s: name them", model.name(), model.inputs().size(),
          names(model.inputs()));
    }
    return model.inputs().get(0).name();
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }
}
