package io.maas.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A worker slot's memory and the use of its model versions, announced with it.
 *
 * @param placed whether the cluster chooses the slot's models ({@code worker.model_control_mode: placed})
 * @param memoryLimitBytes the slot's budget ({@code memory_limit_mb}); placement never asks for more
 * @param memoryUsedBytes the footprints of the versions it holds now (loading, ready or unloading)
 * @param versions every version it holds or could load
 * @param coldLoads versions loaded because a request asked for a model loaded nowhere (since the slot started)
 */
public record WorkerResources(boolean placed, long memoryLimitBytes, long memoryUsedBytes, List<VersionUsage> versions,
    long coldLoads) {
  public static final WorkerResources NONE = new WorkerResources(false, 0, 0, List.of(), 0);

  public WorkerResources {
    versions = List.copyOf(versions);
  }

  public JsonObject toJson() {
    return new JsonObject().put("placed", placed).put("memory_limit_bytes", memoryLimitBytes)
        .put("memory_used_bytes", memoryUsedBytes)
        .put("versions", new JsonArray(versions.stream().map(VersionUsage::toJson).toList()))
        .put("cold_loads", coldLoads);
  }

  public static WorkerResources fromJson(JsonObject j) {
    if (j == null) {
      return NONE;
    }
    return new WorkerResources(j.getBoolean("placed", false), j.getLong("memory_limit_bytes", 0L),
        j.getLong("memory_used_bytes", 0L), j.getJsonArray("versions", new JsonArray()).stream()
            .map(o -> VersionUsage.fromJson((JsonObject) o)).toList(), j.getLong("cold_loads", 0L));
  }
}
