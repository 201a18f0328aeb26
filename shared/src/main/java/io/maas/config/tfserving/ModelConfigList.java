package io.maas.config.tfserving;

import io.maas.config.ModelBasePath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TF Serving's {@code --model_config_file}: a {@code ModelServerConfig} in protobuf text format holding a
 * {@code model_config_list} of {@code config} entries ({@code name}, {@code base_path}, {@code model_platform},
 * {@code model_version_policy}). Fields maas cannot use are reported as warnings; unknown fields and a
 * {@code custom_model_config} are refused.
 *
 * @param models the models, in the file's order
 * @param warnings what was given but has no effect here
 */
public record ModelConfigList(List<ModelBasePath> models, List<String> warnings) {
  private static final Set<String> IGNORED = Set.of("model_platform", "model_type", "logging_config");

  /** @throws IllegalArgumentException naming the file and what is wrong in it */
  public static ModelConfigList read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("--model_config_file " + file + " cannot be read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  static ModelConfigList parse(String text, String source) {
    Map<String, List<Object>> server = TextFormat.parse(text, source);
    for (String field : server.keySet()) {
      if (!field.equals("model_config_list")) {
        throw new IllegalArgumentException(source + ": " + field + " is not served; maas reads a model_config_list");
      }
    }
    List<ModelBasePath> models = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (Object list : server.getOrDefault("model_config_list", List.of())) {
      for (Object config : message(list, source, "model_config_list").getOrDefault("config", List.of())) {
        models.add(model(message(config, source, "config"), source, warnings));
      }
    }
    if (models.isEmpty()) {
      throw new IllegalArgumentException(source + " lists no model (model_config_list { config { name: ... base_path: ... } })");
    }
    return new ModelConfigList(List.copyOf(models), List.copyOf(warnings));
  }

  private static ModelBasePath model(Map<String, List<Object>> config, String source, List<String> warnings) {
    String name = string(config, "name", source);
    String basePath = string(config, "base_path", source);
    JsonObject policy = new JsonObject();
    for (Map.Entry<String, List<Object>> field : config.entrySet()) {
      switch (field.getKey()) {
        case "name", "base_path" -> { }
        case "model_version_policy" -> policy = versionPolicy(message(field.getValue().get(0), source, field.getKey()),
            source, name);
        case "version_labels" -> warnings.add(source + ": model '" + name
            + "': version_labels are ignored (maas serves versions by number: /v1/models/" + name + "/versions/N)");
        default -> {
          if (!IGNORED.contains(field.getKey())) {
            throw new IllegalArgumentException(source + ": model '" + name + "': unknown field " + field.getKey());
          }
          if (!field.getKey().equals("model_platform")) {
            warnings.add(source + ": model '" + name + "': " + field.getKey() + " is ignored");
          }
        }
      }
    }
    if (basePath.isBlank()) {
      throw new IllegalArgumentException(source + ": model '" + name + "' has an empty base_path");
    }
    return new ModelBasePath(name, Path.of(basePath), policy);
  }

  /** TF Serving's {@code latest {num_versions}}, {@code all {}}, {@code specific {versions}}, in Triton's words. */
  private static JsonObject versionPolicy(Map<String, List<Object>> policy, String source, String model) {
    if (policy.size() != 1) {
      throw new IllegalArgumentException(source + ": model '" + model
          + "': model_version_policy takes one of latest, all, specific");
    }
    String kind = policy.keySet().iterator().next();
    Map<String, List<Object>> body = message(policy.get(kind).get(0), source, kind);
    return switch (kind) {
      case "latest" -> new JsonObject().put("latest", new JsonObject().put("num_versions",
          body.containsKey("num_versions") ? number(body.get("num_versions").get(0), source, "num_versions") : 1));
      case "all" -> new JsonObject().put("all", new JsonObject());
      case "specific" -> {
        JsonArray versions = new JsonArray();
        body.getOrDefault("versions", List.of()).forEach(v -> versions.add(number(v, source, "versions")));
        if (versions.isEmpty()) {
          throw new IllegalArgumentException(source + ": model '" + model + "': specific lists no versions");
        }
        yield new JsonObject().put("specific", new JsonObject().put("versions", versions));
      }
      default -> throw new IllegalArgumentException(source + ": model '" + model
          + "': model_version_policy takes latest, all or specific, not " + kind);
    };
  }

  private static long number(Object value, String source, String field) {
    try {
      return Long.parseLong(value.toString());
    } catch (NumberFormatException | ClassCastException e) {
      throw new IllegalArgumentException(source + ": " + field + " must be a number, not " + value);
    }
  }

  private static String string(Map<String, List<Object>> message, String field, String source) {
    List<Object> values = message.get(field);
    if (values == null || !(values.get(0) instanceof String s)) {
      throw new IllegalArgumentException(source + ": a config has no " + field);
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, List<Object>> message(Object value, String source, String field) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(source + ": " + field + " must be a message { ... }, not " + value);
    }
    return (Map<String, List<Object>>) value;
  }
}
