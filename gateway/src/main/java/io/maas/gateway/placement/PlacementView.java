package io.maas.gateway.placement;

import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.model.ModelStatus;
import io.maas.model.VersionUsage;
import io.maas.model.WorkerAnnouncement;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.Map;

/**
 * What placement shows ({@code GET /v2/repository/placement}): per worker, its budget and what it uses of it, what
 * it holds (each version's state, footprint, requests held and last use), its cold loads and what placement did
 * there (copies added, removed, evicted); and the versions placement could not give the copies they need, with
 * the reason.
 */
public final class PlacementView {
  private final Vertx vertx;
  private final WorkerRegistry registry;
  private final Placer placer;

  public PlacementView(Vertx vertx, WorkerRegistry registry, Placer placer) {
    this.vertx = vertx;
    this.registry = registry;
    this.placer = placer;
  }

  public Future<JsonObject> render() {
    return vertx.executeBlocking(placer::events, false).map(events -> {
      JsonArray workers = new JsonArray();
      registry.workers().stream().sorted(Comparator.comparing(WorkerEndpoint::workerId))
          .forEach(w -> workers.add(worker(w.announcement(), events.getOrDefault(w.workerId(), new JsonObject()))));
      return new JsonObject().put("decider", placer.deciding()).put("workers", workers)
          .put("unplaced", new JsonObject(Map.<String, Object>copyOf(placer.unplaced())));
    });
  }

  private static JsonObject worker(WorkerAnnouncement a, JsonObject events) {
    JsonArray holds = new JsonArray();
    for (VersionUsage v : a.resources().versions()) {
      String state = a.models().stream().filter(s -> s.name().equals(v.model()) && s.version().equals(v.version()))
          .map(ModelStatus::state).map(Enum::name).findFirst().orElse("UNAVAILABLE");
      if (state.equals("UNAVAILABLE")) {
        continue; // listed: it could load here; held: anything else
      }
      holds.add(new JsonObject().put("model", v.model()).put("version", v.version()).put("state", state)
          .put("footprint_bytes", v.footprintBytes()).put("measured", v.measured()).put("in_flight", v.inFlight())
          .put("last_used_ms", v.lastUsedMillis()));
    }
    return new JsonObject()
        .put("worker_id", a.workerId())
        .put("device", a.device())
        .put("placed", a.resources().placed())
        .put("memory_limit_bytes", a.resources().memoryLimitBytes())
        .put("memory_used_bytes", a.resources().memoryUsedBytes())
        .put("cold_loads", a.resources().coldLoads())
        .put("replicas_added", events.getLong("added", 0L))
        .put("replicas_removed", events.getLong("removed", 0L))
        .put("evictions", events.getLong("evicted", 0L))
        .put("holds", holds);
  }
}
