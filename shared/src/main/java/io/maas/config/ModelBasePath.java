package io.maas.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * A model served from its own base path, as TF Serving names models ({@code --model_name},
 * {@code --model_base_path}, or one {@code config} of a {@code model_config_list}): the directory holds
 * numeric version directories, each with a {@code model.onnx}, or a {@code model.onnx} directly (version 1).
 *
 * @param name the name clients call the model by
 * @param basePath the model's directory
 * @param versionPolicy which versions to serve, in Triton's vocabulary ({@code {latest: {num_versions: N}}},
 *     {@code {all: {}}}, {@code {specific: {versions: [..]}}}); empty: the model's own config, else the latest
 */
public record ModelBasePath(String name, Path basePath, JsonObject versionPolicy) {

  public ModelBasePath {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a served model needs a name");
    }
    if (basePath == null) {
      throw new IllegalArgumentException("model '" + name + "' needs a base path");
    }
    versionPolicy = versionPolicy == null ? new JsonObject() : versionPolicy.copy();
  }

  /** A model whose versions follow its own config (else the latest is served). */
  public ModelBasePath(String name, Path basePath) {
    this(name, basePath, new JsonObject());
  }

  /** The configuration form: {@code {name, base_path, version_policy}}. */
  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("name", name).put("base_path", basePath.toString());
    return versionPolicy.isEmpty() ? j : j.put("version_policy", versionPolicy.copy());
  }

  static ModelBasePath fromJson(Object value) {
    if (!(value instanceof JsonObject j)) {
      throw new IllegalArgumentException("worker.models lists objects {name, base_path}, not " + value);
    }
    ConfigValues.onlyKeys(j, List.of("name", "base_path", "version_policy"), "a worker.models entry");
    String basePath = j.getString("base_path");
    if (basePath == null || basePath.isBlank()) {
      throw new IllegalArgumentException("worker.models: model '" + j.getString("name") + "' has no base_path");
    }
    return new ModelBasePath(j.getString("name"), Path.of(basePath), j.getJsonObject("version_policy"));
  }
}
