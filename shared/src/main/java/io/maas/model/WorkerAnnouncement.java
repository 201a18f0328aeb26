package io.maas.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A worker verticle's periodic statement of what it holds. Gateways build their routing table from
 * these; an announcement not refreshed within {@code ttlMillis} expires.
 *
 * @param workerId unique id of the worker verticle (also the suffix of its event-bus address)
 * @param nodeId the cluster member the worker runs in (its entries go when that member leaves)
 * @param address the event-bus address that takes its inference requests
 * @param device the device it runs on, e.g. {@code cpu} or {@code cuda:0}
 * @param models the model versions it holds, with their states
 * @param ttlMillis how long this announcement stays valid
 * @param queueDepth requests the worker holds now (queued or running), for load-aware routing
 * @param draining whether the worker is leaving: it finishes what it holds and takes nothing new
 * @param maxInFlight how many requests it runs at once (its model instances); more wait in its queue
 * @param resources its memory budget and what its model versions cost and are used ({@link WorkerResources#NONE}
 *     from a worker that does not say)
 */
public record WorkerAnnouncement(
    String workerId,
    String nodeId,
    String address,
    String device,
    List<ModelStatus> models,
    long ttlMillis,
    int queueDepth,
    boolean draining,
    int maxInFlight,
    WorkerResources resources) {

  public WorkerAnnouncement {
    models = List.copyOf(models);
    resources = resources == null ? WorkerResources.NONE : resources;
  }

  /** An announcement that tells nothing of memory or use. */
  public WorkerAnnouncement(String workerId, String nodeId, String address, String device, List<ModelStatus> models,
      long ttlMillis, int queueDepth, boolean draining, int maxInFlight) {
    this(workerId, nodeId, address, device, models, ttlMillis, queueDepth, draining, maxInFlight, WorkerResources.NONE);
  }

  public JsonObject toJson() {
    JsonArray m = new JsonArray();
    models.forEach(s -> m.add(s.toJson()));
    return new JsonObject()
        .put("worker_id", workerId)
        .put("node_id", nodeId)
        .put("address", address)
        .put("device", device)
        .put("models", m)
        .put("ttl_ms", ttlMillis)
        .put("queue_depth", queueDepth)
        .put("draining", draining)
        .put("max_in_flight", maxInFlight)
        .put("resources", resources.toJson());
  }

  public static WorkerAnnouncement fromJson(JsonObject json) {
    return new WorkerAnnouncement(
        json.getString("worker_id"),
        json.getString("node_id", ""),
        json.getString("address"),
        json.getString("device"),
        json.getJsonArray("models").stream().map(o -> ModelStatus.fromJson((JsonObject) o)).toList(),
        json.getLong("ttl_ms"),
        json.getInteger("queue_depth", 0),
        json.getBoolean("draining", false),
        json.getInteger("max_in_flight", 0),
        WorkerResources.fromJson(json.getJsonObject("resources")));
  }
}
