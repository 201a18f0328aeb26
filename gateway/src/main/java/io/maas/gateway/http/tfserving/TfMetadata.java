package io.maas.gateway.http.tfserving;

import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.model.TensorSpec;
import io.maas.tensor.DataType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** TF Serving's model status and model metadata bodies, derived from what the workers announce. */
public final class TfMetadata {
  private TfMetadata() {}

  /** One entry of {@code model_version_status}. */
  public static JsonObject versionStatus(ModelStatus s) {
    String state = switch (s.state()) {
      case READY -> "AVAILABLE";
      case LOADING -> "LOADING";
      case UNLOADING -> "UNLOADING";
      case UNAVAILABLE -> "END";
    };
    boolean failed = s.state() == ModelReadyState.UNAVAILABLE;
    return new JsonObject()
        .put("version", s.version())
        .put("state", state)
        .put("status", new JsonObject()
            .put("error_code", failed ? "UNAVAILABLE" : "OK")
            .put("error_message", failed ? s.reason() : ""));
  }

  public static JsonObject modelStatus(List<ModelStatus> versions) {
    JsonArray list = new JsonArray();
    versions.forEach(v -> list.add(versionStatus(v)));
    return new JsonObject().put("model_version_status", list);
  }

  /** The metadata of a served version: one {@code serving_default} predict signature. */
  public static JsonObject metadata(ModelStatus s) {
    JsonObject signature = new JsonObject()
        .put("inputs", tensors(s.inputs()))
        .put("outputs", tensors(s.outputs()))
        .put("method_name", "tensorflow/serving/predict");
    return new JsonObject()
        .put("model_spec", new JsonObject().put("name", s.name()).put("signature_name", "").put("version", s.version()))
        .put("metadata", new JsonObject().put("signature_def", new JsonObject().put("signature_def",
            new JsonObject().put(TfPredict.DEFAULT_SIGNATURE, signature))));
  }

  private static JsonObject tensors(List<TensorSpec> specs) {
    JsonObject out = new JsonObject();
    for (TensorSpec t : specs) {
      JsonArray dims = new JsonArray();
      for (long d : t.shape()) {
        dims.add(new JsonObject().put("size", Long.toString(d)).put("name", "")); // int64 as a string, as in proto JSON
      }
      out.put(t.name(), new JsonObject()
          .put("dtype", dtype(t.datatype()))
          .put("tensor_shape", new JsonObject().put("dim", dims).put("unknown_rank", false))
          .put("name", t.name()));
    }
    return out;
  }

  /** TensorFlow's name for a datatype. */
  static String dtype(DataType t) {
    return switch (t) {
      case BOOL -> "DT_BOOL";
      case UINT8 -> "DT_UINT8";
      case UINT16 -> "DT_UINT16";
      case UINT32 -> "DT_UINT32";
      case UINT64 -> "DT_UINT64";
      case INT8 -> "DT_INT8";
      case INT16 -> "DT_INT16";
      case INT32 -> "DT_INT32";
      case INT64 -> "DT_INT64";
      case FP16 -> "DT_HALF";
      case FP32 -> "DT_FLOAT";
      case FP64 -> "DT_DOUBLE";
      case BYTES -> "DT_STRING";
    };
  }
}
