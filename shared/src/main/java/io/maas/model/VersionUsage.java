package io.maas.model;

import io.vertx.core.json.JsonObject;

/**
 * What one model version costs and how it is used on one worker slot, announced with the slot so that the
 * cluster's placement can weigh it. Listed for every version the slot holds or could load (those its
 * repository has).
 *
 * @param footprintBytes the memory the version takes on the slot: measured when it last loaded there, else
 *     the estimate its configuration states ({@code memory_mb}), else what the slot estimates (see
 *     {@code docs/placement.md})
 * @param measured whether {@code footprintBytes} was measured on this slot (false: an estimate)
 * @param lastUsedMillis when the version last took a request here (ms since the epoch); 0: never
 * @param inFlight requests it holds now, queued or running
 * @param requests requests it took here since the slot started (placement reads its rate from two announcements)
 */
public record VersionUsage(String model, String version, long footprintBytes, boolean measured, long lastUsedMillis,
    int inFlight, long requests) {

  /** Use without a request count. */
  public VersionUsage(String model, String version, long footprintBytes, boolean measured, long lastUsedMillis,
      int inFlight) {
    this(model, version, footprintBytes, measured, lastUsedMillis, inFlight, 0);
  }

  public JsonObject toJson() {
    return new JsonObject().put("model", model).put("version", version).put("footprint_bytes", footprintBytes)
        .put("measured", measured).put("last_used_ms", lastUsedMillis).put("in_flight", inFlight).put("requests", requests);
  }

  public static VersionUsage fromJson(JsonObject j) {
    return new VersionUsage(j.getString("model"), j.getString("version"), j.getLong("footprint_bytes", 0L),
        j.getBoolean("measured", false), j.getLong("last_used_ms", 0L), j.getInteger("in_flight", 0),
        j.getLong("requests", 0L));
  }
}
