package io.maas.model;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the cluster wants of one model, set through the repository API: loaded (with the configuration the load
 * gave, if any) or unloaded. Kept in the cluster map {@link #MAP} on the gateways, with a durable copy on each;
 * a worker that starts or joins applies it. The newest change wins, wherever it was made.
 *
 * @param config the configuration the load gave in place of the model's own file; null: the file's
 * @param files files the load uploaded, by path in the model's directory (e.g. {@code 1/model.onnx}): the
 *     SHA-256 (hex) of each, whose content is in {@link #FILES_MAP}
 * @param updatedAt when the change was made (ms since the epoch): the newest wins when copies meet
 * @param policy replicas, traffic weights and version labels the load gave, each replacing the configuration's
 */
public record WantedModel(String name, boolean loaded, JsonObject config, Map<String, String> files, long updatedAt,
    ModelPolicy policy) {
  /** The cluster map of wanted models, by name; values are {@link #toJson()} strings. */
  public static final String MAP = "maas.models";
  /** The cluster map of uploaded model files: their SHA-256 (hex) to their bytes. */
  public static final String FILES_MAP = "maas.model.files";

  public WantedModel {
    files = files == null ? Map.of() : Map.copyOf(new TreeMap<>(files));
    policy = policy == null ? ModelPolicy.NONE : policy;
  }

  /** A change that sets no replicas, traffic or labels of its own. */
  public WantedModel(String name, boolean loaded, JsonObject config, Map<String, String> files, long updatedAt) {
    this(name, loaded, config, files, updatedAt, ModelPolicy.NONE);
  }

  public String toJson() {
    JsonObject j = new JsonObject().put("name", name).put("state", loaded ? "loaded" : "unloaded")
        .put("updated_at", updatedAt);
    if (config != null) {
      j.put("config", config);
    }
    if (!files.isEmpty()) {
      j.put("files", new JsonObject(new TreeMap<String, Object>(files)));
    }
    if (!policy.isEmpty()) {
      j.put("policy", policy.into(new JsonObject()));
    }
    return j.encode();
  }

  public static WantedModel fromJson(String json) {
    JsonObject j = new JsonObject(json);
    Map<String, String> files = new TreeMap<>();
    j.getJsonObject("files", new JsonObject()).forEach(e -> files.put(e.getKey(), (String) e.getValue()));
    return new WantedModel(j.getString("name"), "loaded".equals(j.getString("state")), j.getJsonObject("config"),
        files, j.getLong("updated_at", 0L), ModelPolicy.fromJson(j.getJsonObject("policy")));
  }

  /** Whether this change is newer than another of the same model (ties keep the one there). */
  public boolean newerThan(WantedModel other) {
    return other == null || updatedAt > other.updatedAt;
  }
}
