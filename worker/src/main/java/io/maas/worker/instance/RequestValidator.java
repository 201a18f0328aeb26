package io.maas.worker.instance;

import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.model.TensorSpec;
import io.maas.model.TextSpec;
import io.maas.tensor.DataType;
import io.maas.tensor.Shapes;
import io.maas.tensor.Tensor;
import io.maas.worker.text.TextInputs;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks a request against a model's signature, with errors that name the tensor and both sides. A text
 * model's request carries either its token inputs or its one text input.
 */
public final class RequestValidator {
  private RequestValidator() {}

  public static void validate(String model, ModelSignature sig, InferenceRequest request) {
    TextSpec text = sig.text();
    if (text != null && request.inputs().stream().anyMatch(t -> t.name().equals(text.input()))) {
      validateText(model, sig, request);
    } else {
      validateTensors(model, sig, request);
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

  private static void validateText(String model, ModelSignature sig, InferenceRequest request) {
    TextSpec text = sig.text();
    if (request.inputs().size() != 1) {
      throw MaasException.invalid("input '%s' of model '%s' replaces its token inputs %s: send either the text "
          + "or the token inputs, not both", text.input(), model, sig.tokenInputNames());
    }
    Tensor t = request.inputs().get(0);
    if (t.datatype() != DataType.BYTES) {
      throw MaasException.invalid("input '%s': expected datatype BYTES (UTF-8 strings), got %s", t.name(), t.datatype());
    }
    if (t.shape().length != 1) {
      throw MaasException.invalid("input '%s': expected shape [-1] (one string per text), got %s", t.name(),
          Shapes.format(t.shape()));
    }
    long n = t.shape()[0];
    if (n == 0) {
      throw MaasException.invalid("input '%s' holds no text; send at least one string", t.name());
    }
    long max = sig.maxBatchSize() > 0 ? Math.min(text.maxTexts(), sig.maxBatchSize()) : text.maxTexts();
    if (n > max) {
      throw MaasException.invalid("input '%s': %d texts is over the limit of %d per request for model '%s'",
          t.name(), n, max, model);
    }
    TextInputs.decode(t, text.maxTextBytes());
  }

  private static void validateTensors(String model, ModelSignature sig, InferenceRequest request) {
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
    for (String name : sig.tokenInputNames()) {
      if (!seen.contains(name)) {
        String alternative = sig.text() == null ? "" : " (or the text input '" + sig.text().input() + "' alone)";
        throw MaasException.invalid("missing input '%s' for model '%s'; its inputs are %s%s", name, model,
            sig.tokenInputNames(), alternative);
      }
    }
  }
}
