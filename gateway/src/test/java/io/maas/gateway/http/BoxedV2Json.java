package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The KServe V2 infer codec as it was before the streaming one: the body parsed into a JsonObject,
 * values flattened as boxed numbers, the response built as a JsonObject. Kept in tests as the reference
 * the streaming codec must agree with, and as the baseline of {@link V2CodecCost}.
 */
final class BoxedV2Json {
  private BoxedV2Json() {}

  /** A plain JSON request (no binary tensor data). */
  static InferenceRequest decodeRequest(String model, String version, Buffer body, EdgeLimits limits) {
    return decodeRequest(model, version, body, null, limits).request();
  }

  /**
   * Decodes a request whose body may carry binary tensor data after its JSON header.
   *
   * @param headerLength the {@code Inference-Header-Content-Length} header, or null
   */
  static V2Json.Decoded decodeRequest(String model, String version, Buffer body, String headerLength, EdgeLimits limits) {
    BinaryTensorData parts = BinaryTensorData.split(body, headerLength);
    JsonObject json;
    try {
      json = V2Json.parseObject(parts.jsonPart());
    } catch (MaasException e) {
      throw parts.explain(e);
    }
    JsonArray inputs = array(json, "inputs", true);
    if (inputs.size() > limits.maxTensors()) {
      throw MaasException.invalid("%d inputs is over the limit of %d", inputs.size(), limits.maxTensors());
    }
    long declared = 0;
    for (int i = 0; i < inputs.size(); i++) {
      if (!(inputs.getValue(i) instanceof JsonObject in)) {
        throw MaasException.invalid("inputs[%d] is not an object", i);
      }
      String label = in.getValue("name") instanceof String n ? n : "inputs[" + i + "]";
      long size = BinaryTensorData.declaredSize(object(in, "parameters"), label);
      declared = size < 0 ? declared : declared > Long.MAX_VALUE - size ? Long.MAX_VALUE : declared + size;
    }
    parts.checkDeclaredTotal(declared);
    List<Tensor> tensors = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      tensors.add(decodeInput(inputs.getJsonObject(i), i, limits, parts));
    }
    List<String> outputs = new ArrayList<>();
    Map<String, Boolean> binaryPerOutput = new HashMap<>();
    JsonArray requested = array(json, "outputs", false);
    if (requested != null) {
      if (requested.size() > limits.maxTensors()) {
        throw MaasException.invalid("%d outputs is over the limit of %d", requested.size(), limits.maxTensors());
      }
      for (int i = 0; i < requested.size(); i++) {
        if (!(requested.getValue(i) instanceof JsonObject o) || !(o.getValue("name") instanceof String name)) {
          throw MaasException.invalid("outputs[%d] must be an object with a string 'name'", i);
        }
        outputs.add(name);
        Object flag = object(o, "parameters").getValue(BinaryTensorData.OUTPUT_FLAG);
        if (flag != null) {
          binaryPerOutput.put(name, bool(flag, "output '" + name + "': parameters." + BinaryTensorData.OUTPUT_FLAG));
        }
      }
    }
    Object id = json.getValue("id");
    if (id != null && !(id instanceof String)) {
      throw MaasException.invalid("'id' must be a string");
    }
    JsonObject parameters = object(json, "parameters");
    Object all = parameters.getValue(BinaryTensorData.ALL_OUTPUTS_FLAG);
    boolean binaryByDefault = all != null && bool(all, "parameters." + BinaryTensorData.ALL_OUTPUTS_FLAG);
    return new V2Json.Decoded(new InferenceRequest(model, version, (String) id, tensors, outputs, parameters),
        new V2Json.BinaryOutputs(binaryByDefault, Map.copyOf(binaryPerOutput)));
  }

  private static boolean bool(Object v, String what) {
    if (!(v instanceof Boolean b)) {
      throw MaasException.invalid("%s must be true or false, got %s", what, v);
    }
    return b;
  }

  private static Tensor decodeInput(JsonObject in, int index, EdgeLimits limits, BinaryTensorData binary) {
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
    if (shapeJson.size() > JsonTensors.MAX_RANK) {
      throw MaasException.invalid("input '%s': a rank of %d is over the limit of %d",
          name, shapeJson.size(), JsonTensors.MAX_RANK);
    }
    long[] shape = new long[shapeJson.size()];
    for (int d = 0; d < shape.length; d++) {
      Object v = shapeJson.getValue(d);
      if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
        throw MaasException.invalid("input '%s': shape %s must hold non-negative integers", name, shapeJson.encode());
      }
      shape[d] = ((Number) v).longValue();
    }
    long binarySize = BinaryTensorData.declaredSize(object(in, "parameters"), name);
    if (binarySize >= 0) {
      if (in.containsKey("data")) {
        throw MaasException.invalid("input '%s' has both 'data' and parameters.%s: send one or the other",
            name, BinaryTensorData.SIZE);
      }
      return binary.read(name, type, shape, binarySize, limits.maxTensorElements());
    }
    if (!in.containsKey("data")) {
      throw MaasException.invalid("input '%s' has no 'data' (nor parameters.%s)", name, BinaryTensorData.SIZE);
    }
    return JsonTensors.fromJson(name, type, shape, in.getValue("data"), limits.maxTensorElements());
  }

  /** A response as JSON, unless outputs are asked for as binary: then a JSON header and their bytes after it. */
  record Encoded(JsonObject header, Buffer binary) {
    public boolean isBinary() {
      return binary != null;
    }
  }

  static Encoded encodeResponse(InferenceResponse r, V2Json.BinaryOutputs binaryOutputs) {
    Buffer binary = null;
    JsonArray outputs = new JsonArray();
    for (Tensor t : r.outputs()) {
      JsonObject out = new JsonObject()
          .put("name", t.name())
          .put("datatype", t.datatype().name())
          .put("shape", shapeJson(t.shape()));
      if (binaryOutputs.binary(t.name())) {
        binary = binary == null ? Buffer.buffer() : binary;
        binary.appendBytes(t.data());
        out.put("parameters", new JsonObject().put(BinaryTensorData.SIZE, t.data().length));
      } else {
        out.put("data", JsonTensors.toJson(t));
      }
      outputs.add(out);
    }
    return new Encoded(envelope(r).put("outputs", outputs), binary);
  }

  private static JsonArray shapeJson(long[] shape) {
    JsonArray a = new JsonArray();
    for (long d : shape) {
      a.add(d);
    }
    return a;
  }

  private static JsonObject envelope(InferenceResponse r) {
    JsonObject json = new JsonObject().put("model_name", r.model()).put("model_version", r.version());
    if (!r.id().isEmpty()) {
      json.put("id", r.id());
    }
    if (!r.parameters().isEmpty()) {
      json.put("parameters", r.parameters());
    }
    return json;
  }

  static JsonObject encodeResponse(InferenceResponse r) {
    return encodeResponse(r, V2Json.BinaryOutputs.NONE).header();
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
}
