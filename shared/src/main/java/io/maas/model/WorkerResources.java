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
 * @param atMillis when the worker said this (its clock, ms since the epoch): a version's idle time is
 *     {@code atMillis - lastUsedMillis}, comparable between workers whose announcements are of different ages
 */
public record WorkerResources(boolean placed, long memoryLimitBytes, long memoryUsedBytes, List<VersionUsage> versions,
    long coldLoads, long atMillis) {
  public static final WorkerResources NONE = new WorkerResources(false, 0, 0, List.of(), 0, 0);

  public WorkerResources {
    versions = List.copyOf(versions);
  }

  /** Resources said now. */
  public WorkerResources(boolean placed, long memoryLimitBytes, long memoryUsedBytes, List<VersionUsage> versions,
      long coldLoads) {
    this(placed, memoryLimitBytes, memoryUsedBytes, versions, coldLoads, System.currentTimeMillis());
  }

  public JsonObject toJson() {
    return new JsonObject().put("placed", placed).put("memory_limit_bytes", memoryLimitBytes)
        .put("memory_used_bytes", memoryUsedBytes)
        .put("versions", new JsonArray(versions.stream().map(VersionUsage::toJson).toList()))
        .put("cold_loads", coldLoads).put("at_ms", atMillis);
  }

  public static WorkerResources fromJson(JsonObject j) {
    if (j == null) {
      return NONE;
    }
    return new WorkerResources(j.getBoolean("placed", false), j.getLong("memory_limit_bytes", 0L),
        j.getLong("memory_used_bytes", 0L), j.getJsonArray("versions", new JsonArray()).stream()
            .map(o -> VersionUsage.fromJson((JsonObject) o)).toList(), j.getLong("cold_loads", 0L), j.getLong("at_ms", 0L));
  }
}
