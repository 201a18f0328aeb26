package io.maas.gateway.http.tfserving;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.error.MaasException;
import io.maas.gateway.http.JsonTensors;
import io.maas.gateway.http.NamedJsonInputs;
import io.maas.gateway.http.V2Json;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TF Serving's {@code :predict} bodies. The row format lists {@code instances} (one value, or one object
 * of named values, per batch row) and is answered with {@code predictions}; the columnar format gives
 * whole tensors under {@code inputs} and is answered with {@code outputs}. A model with one input may
 * leave its name out; a response with one output gives it bare, without its name.
 */
public final class TfPredict {
  public static final String DEFAULT_SIGNATURE = "serving_default";

  private TfPredict() {}

  /** The two request formats, each answered in its own way. */
  public enum Format { ROW, COLUMNAR }

  public record Decoded(InferenceRequest request, Format format) {}

  public static Decoded decode(ModelStatus model, Buffer body, EdgeLimits limits) {
    JsonObject json = V2Json.parseObject(body);
    Object signature = json.getValue("signature_name");
    if (signature != null && !(signature instanceof String)) {
      throw MaasException.invalid("'signature_name' must be a string");
    }
    if (signature != null && !((String) signature).isEmpty() && !signature.equals(DEFAULT_SIGNATURE)) {
      throw MaasException.invalid("unknown signature_name '%s': model '%s' has only '%s'",
          signature, model.name(), DEFAULT_SIGNATURE);
    }
    boolean rows = json.containsKey("instances");
    boolean columns = json.containsKey("inputs");
    if (rows == columns) {
      throw MaasException.invalid(rows ? "give either 'instances' or 'inputs', not both"
          : "the request needs 'instances' (row format) or 'inputs' (columnar format)");
    }
    Map<String, Object> values = rows ? fromRows(model, json.getValue("instances")) : fromColumns(model, json.getValue("inputs"));
    List<Tensor> tensors = NamedJsonInputs.decode(model, values, limits);
    InferenceRequest request = new InferenceRequest(model.name(), model.version(), null, tensors, List.of(), null);
    return new Decoded(request, rows ? Format.ROW : Format.COLUMNAR);
  }

  private static Map<String, Object> fromRows(ModelStatus model, Object instances) {
    if (!(instances instanceof JsonArray rows) || rows.isEmpty()) {
      throw MaasException.invalid("'instances' must be a non-empty array");
    }
    long named = rows.stream().filter(r -> r instanceof JsonObject).count();
    if (named == 0) {
      return Map.of(NamedJsonInputs.onlyInput(model), rows);
    }
    if (named != rows.size()) {
      throw MaasException.invalid("'instances' mixes objects of named inputs with bare values");
    }
    Set<String> names = rows.getJsonObject(0).fieldNames();
    Map<String, Object> columns = new LinkedHashMap<>();
    names.forEach(n -> columns.put(n, new JsonArray(new ArrayList<>(rows.size()))));
    for (int i = 0; i < rows.size(); i++) {
      JsonObject row = rows.getJsonObject(i);
      if (!row.fieldNames().equals(names)) {
        throw MaasException.invalid("instances[%d] names the inputs %s, but instances[0] names %s",
            i, row.fieldNames(), names);
      }
      names.forEach(n -> ((JsonArray) columns.get(n)).add(row.getValue(n)));
    }
    return columns;
  }

  private static Map<String, Object> fromColumns(ModelStatus model, Object inputs) {
    if (inputs instanceof JsonObject named) {
      return named.getMap();
    }
    if (inputs == null) {
      throw MaasException.invalid("'inputs' must not be null");
    }
    return Map.of(NamedJsonInputs.onlyInput(model), inputs);
  }

  public static JsonObject encode(InferenceResponse r, Format format) {
    List<Tensor> outputs = r.outputs();
    if (format == Format.COLUMNAR) {
      if (outputs.size() == 1) {
        return new JsonObject().put("outputs", JsonTensors.toNestedJson(outputs.get(0)));
      }
      JsonObject named = new JsonObject();
      outputs.forEach(t -> named.put(t.name(), JsonTensors.toNestedJson(t)));
      return new JsonObject().put("outputs", named);
    }
    if (outputs.size() == 1) {
      return new JsonObject().put("predictions", rows(outputs.get(0)));
    }
    long batch = -1;
    Map<String, JsonArray> byName = new LinkedHashMap<>();
    for (Tensor t : outputs) {
      JsonArray rows = rows(t);
      if (batch >= 0 && rows.size() != batch) {
        throw MaasException.invalid("the outputs of model '%s' do not share one batch size (%s has %d rows, "
            + "another %d): ask in the columnar format ('inputs')", r.model(), t.name(), rows.size(), batch);
      }
      batch = rows.size();
      byName.put(t.name(), rows);
    }
    JsonArray predictions = new JsonArray();
    for (int i = 0; i < batch; i++) {
      JsonObject row = new JsonObject();
      int index = i;
      byName.forEach((name, rows) -> row.put(name, rows.getValue(index)));
      predictions.add(row);
    }
    return new JsonObject().put("predictions", predictions);
  }

  /** An output split into its rows along the first dimension (a scalar is one row). */
  private static JsonArray rows(Tensor t) {
    Object nested = JsonTensors.toNestedJson(t);
    return nested instanceof JsonArray a ? a : new JsonArray().add(nested);
  }
}
