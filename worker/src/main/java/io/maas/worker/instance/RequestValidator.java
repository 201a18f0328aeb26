package io.maas.worker.instance;

import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.model.TensorSpec;
import io.maas.tensor.Shapes;
import io.maas.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;

/** Checks a request against a model's signature, with errors that name the tensor and both sides. */
public final class RequestValidator {
  private RequestValidator() {}

  public static void validate(String model, ModelSignature sig, InferenceRequest request) {
    Set<String> seen = new HashSet<>();
    long batch = -1;
    for (Tensor t : request.inputs()) {
      if (!seen.add(t.name())) {
        throw MaasException.invalid("input '%s' is given twice", t.name());
      }
      TensorSpec spec = sig.input(t.name()).orElseThrow(() -> MaasException.invalid(
          "unexpected input '%s' for model '%s'; its inputs are %s", t.name(), model, sig.inputNames()));
      if (t.datatype() != spec.datatype()) {
        throw MaasException.invalid("input '%s': expected datatype %s, got %s", t.name(), spec.datatype(), t.datatype());
      }
      if (!Shapes.matches(spec.shape(), t.shape())) {
        throw MaasException.invalid("input '%s': expected shape %s, got %s (-1 is any size)",
            t.name(), Shapes.format(spec.shape()), Shapes.format(t.shape()));
      }
      if (sig.maxBatchSize() > 0) {
        long b = t.shape()[0];
        if (b < 1 || b > sig.maxBatchSize()) {
          throw MaasException.invalid("input '%s': batch size %d is outside 1..%d (max_batch_size of '%s')",
              t.name(), b, sig.maxBatchSize(), model);
        }
        if (batch >= 0 && b != batch) {
          throw MaasException.invalid("input '%s': batch size %d differs from the other inputs' %d", t.name(), b, batch);
        }
        batch = b;
      }
    }
    for (String name : sig.inputNames()) {
      if (!seen.contains(name)) {
        throw MaasException.invalid("missing input '%s' for model '%s'; its inputs are %s", name, model, sig.inputNames());
      }
    }
    Set<String> requested = new HashSet<>();
    for (String out : request.outputs()) {
      if (sig.output(out).isEmpty()) {
        throw MaasException.invalid("unknown output '%s' for model '%s'; its outputs are %s", out, model, sig.outputNames());
      }
      if (!requested.add(out)) {
        throw MaasException.invalid("output '%s' is requested twice", out);
      }
    }
  }
}
