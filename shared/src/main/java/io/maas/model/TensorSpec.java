package io.maas.model;

import io.maas.tensor.DataType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * A model input or output as declared: name, datatype and full shape (batch dimension included,
 * -1 for a dimension of any size).
 */
public record TensorSpec(String name, DataType datatype, long[] shape) {

  public JsonObject toJson() {
    JsonArray dims = new JsonArray();
    for (long d : shape) {
      dims.add(d);
    }
    return new JsonObject().put("name", name).put("datatype", datatype.name()).put("shape", dims);
  }

  public static TensorSpec fromJson(JsonObject json) {
    JsonArray dims = json.getJsonArray("shape");
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.getLong(i);
    }
    return new TensorSpec(json.getString("name"), DataType.parse(json.getString("datatype")), shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && name.equals(t.name) && datatype == t.datatype && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape);
  }
}
