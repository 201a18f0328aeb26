package io.maas.gateway.repository;

import io.maas.model.ModelPolicy;
import io.maas.model.ModelStatus;
import io.maas.model.TensorSpec;
import io.maas.tensor.DataType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A model version's configuration as served, in Triton's model configuration JSON (the JSON form of
 * {@code model_config.proto}'s {@code ModelConfig}): its signature as the worker announced it (auto-completed
 * parts included; dims without the batch dimension when {@code max_batch_size} &gt; 0, as in Triton) and the
 * sections the worker serves it with, then the model's effective {@code replicas}, {@code traffic} and
 * {@code version_labels} (its configuration's, overridden by the repository API's). REST's
 * {@code GET /v2/models/{m}/config} writes it, gRPC's {@code ModelConfig} maps it: both edges answer the same.
 */
public final class ServedConfig {
  /**
   * The sections a worker announces beyond the signature, in the order Triton's JSON has them, then maas's
   * {@code sha256}: the digest the version's file was checked against before it loaded, where one was stated.
   */
  private static final String[] SECTIONS = {"version_policy", "dynamic_batching", "instance_group",
      "default_model_filename", "sha256"};

  private ServedConfig() {}

  /** @param policy the model's effective policy ({@code ModelPolicies}), whose set fields are added */
  public static JsonObject of(ModelStatus s, ModelPolicy policy) {
    JsonArray inputs = new JsonArray();
    JsonArray outputs = new JsonArray();
    s.inputs().forEach(t -> inputs.add(entry(t, s.maxBatchSize())));
    s.outputs().forEach(t -> outputs.add(entry(t, s.maxBatchSize())));
    JsonObject json = new JsonObject()
        .put("name", s.name())
        .put("platform", s.platform())
        .put("max_batch_size", s.maxBatchSize())
        .put("input", inputs)
        .put("output", outputs);
    for (String section : SECTIONS) {
      Object value = s.config().getValue(section);
      if (value != null) {
        json.put(section, value);
      }
    }
    return policy.into(json);
  }

  private static JsonObject entry(TensorSpec t, int maxBatchSize) {
    JsonArray dims = new JsonArray();
    long[] shape = t.shape();
    for (int i = maxBatchSize > 0 ? 1 : 0; i < shape.length; i++) {
      dims.add(shape[i]);
    }
    return new JsonObject().put("name", t.name()).put("data_type", dataType(t.datatype())).put("dims", dims);
  }

  /** Triton's {@code DataType} name: {@code TYPE_FP32}...; BYTES is Triton's {@code TYPE_STRING}. */
  static String dataType(DataType t) {
    return t == DataType.BYTES ? "TYPE_STRING" : "TYPE_" + t.name();
  }
}
