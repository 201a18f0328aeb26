package io.maas.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model versions the cluster's placement wants one worker slot to hold, kept in the cluster map
 * {@link #MAP} by worker id. A worker in placed mode loads exactly these (unloading first what it is to drop,
 * so that it never goes over its budget) and unloads everything else.
 *
 * @param versions model name to the versions to hold
 * @param coldLoads model names among them placed because a request waited for them (counted as cold loads)
 * @param updatedAt when the placement wrote it (ms since the epoch)
 */
public record Assignment(String workerId, Map<String, List<String>> versions, List<String> coldLoads, long updatedAt) {
  /** The cluster map of assignments: worker id to {@link #toJson()} strings. */
  public static final String MAP = "maas.placement";

  public Assignment {
    TreeMap<String, List<String>> copy = new TreeMap<>();
    versions.forEach((m, v) -> copy.put(m, v.stream().sorted().distinct().toList()));
    versions = Map.copyOf(copy);
    coldLoads = List.copyOf(coldLoads);
  }

  public String toJson() {
    JsonObject v = new JsonObject();
    new TreeMap<>(versions).forEach((m, list) -> v.put(m, new JsonArray(list)));
    return new JsonObject().put("worker_id", workerId).put("versions", v).put("cold_loads", new JsonArray(coldLoads))
        .put("updated_at", updatedAt).encode();
  }

  public static Assignment fromJson(String json) {
    JsonObject j = new JsonObject(json);
    Map<String, List<String>> versions = new TreeMap<>();
    j.getJsonObject("versions", new JsonObject())
        .forEach(e -> versions.put(e.getKey(), ((JsonArray) e.getValue()).stream().map(Object::toString).toList()));
    return new Assignment(j.getString("worker_id"), versions,
        j.getJsonArray("cold_loads", new JsonArray()).stream().map(Object::toString).toList(), j.getLong("updated_at", 0L));
  }
}
