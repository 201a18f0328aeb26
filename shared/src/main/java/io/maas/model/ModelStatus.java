package io.maas.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a worker says about one model version it holds: its state and, once loaded, its signature.
 *
 * @param name model name
 * @param version version (a decimal number as a string)
 * @param state ready state
 * @param reason why it is UNAVAILABLE ("" otherwise)
 * @param platform e.g. {@code onnxruntime_onnx}
 * @param maxBatchSize Triton's max_batch_size: 0 when the model takes no batch dimension
 * @param inputs the inputs (full shapes)
 * @param outputs the outputs (full shapes)
 * @param text how the model takes text, or null for a model without a text section
 * @param config the rest of the configuration the version is served with, in Triton's JSON names
 *     ({@code version_policy}, {@code instance_group}, {@code dynamic_batching}, {@code default_model_filename});
 *     empty when not known (not loaded, or announced by an older worker)
 */
public record ModelStatus(
    String name,
    String version,
    ModelReadyState state,
    String reason,
    String platform,
    int maxBatchSize,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    TextSpec text,
    JsonObject config) {

  /** The reason of a version in the repository, not loaded (Triton's index says the same). */
  public static final String UNLOADED = "unloaded";

  public ModelStatus {
    reason = reason == null ? "" : reason;
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    config = config == null ? new JsonObject() : config.copy();
  }

  /** The status of a model whose configuration beyond its signature is not told. */
  public ModelStatus(String name, String version, ModelReadyState state, String reason, String platform,
      int maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs, TextSpec text) {
    this(name, version, state, reason, platform, maxBatchSize, inputs, outputs, text, null);
  }

  /** The status of a model that takes no text. */
  public ModelStatus(String name, String version, ModelReadyState state, String reason, String platform,
      int maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    this(name, version, state, reason, platform, maxBatchSize, inputs, outputs, null, null);
  }

  public static ModelStatus loading(String name, String version) {
    return new ModelStatus(name, version, ModelReadyState.LOADING, "", "", 0, List.of(), List.of());
  }

  public ModelStatus withState(ModelReadyState newState, String newReason) {
    return new ModelStatus(name, version, newState, newReason, platform, maxBatchSize, inputs, outputs, text, config);
  }

  public boolean isReady() {
    return state == ModelReadyState.READY;
  }

  /** Whether the version is UNAVAILABLE for a reason other than not being loaded: it failed to load there. */
  public boolean failedToLoad() {
    return state == ModelReadyState.UNAVAILABLE && !UNLOADED.equals(reason);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("name", name)
        .put("version", version)
        .put("state", state.name())
        .put("reason", reason)
        .put("platform", platform)
        .put("max_batch_size", maxBatchSize)
        .put("inputs", specsToJson(inputs))
        .put("outputs", specsToJson(outputs));
    if (!config.isEmpty()) {
      json.put("config", config.copy());
    }
    return text == null ? json : json.put("text", text.toJson());
  }

  public static ModelStatus fromJson(JsonObject json) {
    return new ModelStatus(
        json.getString("name"),
        json.getString("version"),
        ModelReadyState.valueOf(json.getString("state")),
        json.getString("reason", ""),
        json.getString("platform", ""),
        json.getInteger("max_batch_size", 0),
        specsFromJson(json.getJsonArray("inputs", new JsonArray())),
        specsFromJson(json.getJsonArray("outputs", new JsonArray())),
        json.containsKey("text") ? TextSpec.fromJson(json.getJsonObject("text")) : null,
        json.getJsonObject("config"));
  }

  static JsonArray specsToJson(List<TensorSpec> specs) {
    JsonArray a = new JsonArray();
    specs.forEach(s -> a.add(s.toJson()));
    return a;
  }

  static List<TensorSpec> specsFromJson(JsonArray a) {
    return a.stream().map(o -> TensorSpec.fromJson((JsonObject) o)).toList();
  }
}
