package io.maas.gateway.http;

import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The KServe V2 REST request and response bodies. */
public final class V2Json {
  private V2Json() {}

  /** Limits on what one request may hold. */
  public record Limits(long maxTensorElements, int maxTensors) {}

  public static InferenceRequest decodeRequest(String model, String version, Buffer body, Limits limits) {
    JsonObject json = parseObject(body);
    JsonArray inputs = array(json, "inputs", true);
    if (inputs.size() > limits.maxTensors()) {
      throw MaasException.invalid("%d inputs is over the limit of %d", inputs.size(), limits.maxTensors());
    }
    List<Tensor> tensors = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      if (!(inputs.getValue(i) instanceof JsonObject in)) {
        throw MaasException.invalid("inputs[%d] is not an object", i);
      }
      tensors.add(decodeInput(in, i, limits));
    }
    List<String> outputs = new ArrayList<>();
    JsonArray requested = array(json, "outputs", false);
    if (requested != null) {
      for (int i = 0; i < requested.size(); i++) {
        if (!(requested.getValue(i) instanceof JsonObject o) || !(o.getValue("name") instanceof String name)) {
          throw MaasException.invalid("outputs[%d] must be an object with a string 'name'", i);
        }
        outputs.add(name);
      }
    }
    Object id = json.getValue("id");
    if (id != null && !(id instanceof String)) {
      throw MaasException.invalid("'id' must be a string");
    }
    return new InferenceRequest(model, version, (String) id, tensors, outputs, object(json, "parameters"));
  }

  private static Tensor decodeInput(JsonObject in, int index, Limits limits) {
    if (!(in.getValue("name") instanceof String name) || name.isEmpty()) {
      throw MaasException.invalid("inputs[%d] has no 'name'", index);
    }
    if (!(in.getValue("datatype") instanceof String datatype)) {
      throw MaasException.invalid("input '%s' has no 'datatype'", name);
    }
    DataType type;
    try {
      type = DataType.parse(datatype);
    } catch (MaasException e) {
      throw MaasException.invalid("input '%s': %s", name, e.getMessage());
    }
    if (!(in.getValue("shape") instanceof JsonArray shapeJson)) {
      throw MaasException.invalid("input '%s' has no 'shape' array", name);
    }
    if (shapeJson.size() > 16) {
      throw MaasException.invalid("input '%s': a rank of %d is over the limit of 16", name, shapeJson.size());
    }
    long[] shape = new long[shapeJson.size()];
    for (int d = 0; d < shape.length; d++) {
      Object v = shapeJson.getValue(d);
      if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
        throw MaasException.invalid("input '%s': shape %s must hold non-negative integers", name, shapeJson.encode());
      }
      shape[d] = ((Number) v).longValue();
    }
    if (!in.containsKey("data")) {
      throw MaasException.invalid("input '%s' has no 'data'", name);
    }
    object(in, "parameters");
    return JsonTensors.fromJson(name, type, shape, in.getValue("data"), limits.maxTensorElements());
  }

  public static JsonObject encodeResponse(InferenceResponse r) {
    JsonArray outputs = new JsonArray();
    for (Tensor t : r.outputs()) {
      JsonArray shape = new JsonArray();
      for (long d : t.shape()) {
        shape.add(d);
      }
      outputs.add(new JsonObject()
          .put("name", t.name())
          .put("datatype", t.datatype().name())
          .put("shape", shape)
          .put("data", JsonTensors.toJson(t)));
    }
    JsonObject json = new JsonObject().put("model_name", r.model()).put("model_version", r.version());
    if (!r.id().isEmpty()) {
      json.put("id", r.id());
    }
    if (!r.parameters().isEmpty()) {
      json.put("parameters", r.parameters());
    }
    return json.put("outputs", outputs);
  }

  static JsonObject parseObject(Buffer body) {
    if (body == null || body.length() == 0) {
      throw MaasException.invalid("the request body is empty; a JSON object is expected");
    }
    Object parsed;
    try {
      parsed = body.toJsonValue();
    } catch (DecodeException e) {
      throw MaasException.invalid("malformed JSON: %s", firstLine(e.getMessage()));
    }
    if (!(parsed instanceof JsonObject json)) {
      throw MaasException.invalid("the request body must be a JSON object");
    }
    return json;
  }

  private static JsonArray array(JsonObject json, String key, boolean required) {
    Object v = json.getValue(key);
    if (v == null && !required) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw MaasException.invalid("'%s' must be an array", key);
    }
    return a;
  }

  private static JsonObject object(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return new JsonObject();
    }
    if (!(v instanceof JsonObject o)) {
      throw MaasException.invalid("'%s' must be an object", key);
    }
    return o;
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
