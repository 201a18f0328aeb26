package io.maas.gateway.tenancy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * One API key as stored: never its secret, only the SHA-256 of it.
 *
 * @param id the public part of the key ({@code maas_<id>_<secret>}); safe to log
 * @param secretHash hex SHA-256 of the secret
 * @param models the models it may call; {@code ["*"]} for all
 * @param scopes what it may do ({@link Scopes}): {@code ["infer"]} unless it was given others
 * @param ratePerSecond requests per second, refilled continuously
 * @param burst the token bucket's capacity
 * @param dailyQuota requests per UTC day (0: none)
 * @param queueShare its weight and priority levels in the workers' queues (stored as {@code weight},
 *     {@code max_priority}, {@code default_priority}; a key stored before they existed reads as
 *     {@link QueueShare#DEFAULT})
 * @param expiresAt epoch millis after which it is refused (0: never)
 * @param updatedAt epoch millis of the last change (the newer copy wins when stores are merged)
 */
public record ApiKey(String id, String secretHash, String name, String owner, List<String> models,
    List<String> scopes, double ratePerSecond, long burst, long dailyQuota, QueueShare queueShare, long expiresAt,
    boolean enabled, long createdAt, long updatedAt) {

  public ApiKey {
    models = List.copyOf(models);
    scopes = List.copyOf(scopes);
    Objects.requireNonNull(queueShare, "queueShare");
  }

  /** Whether it carries the scope ({@link Scopes#INFER}, {@link Scopes#REPOSITORY}). */
  public boolean has(String scope) {
    return scopes.contains(scope);
  }

  public boolean allows(String model) {
    return models.contains("*") || models.contains(model);
  }

  public boolean expired(long now) {
    return expiresAt > 0 && now >= expiresAt;
  }

  /** The stored form (with the hash). */
  public JsonObject toJson() {
    return toPublicJson().put("secret_sha256", secretHash);
  }

  /** What the admin API shows: no secret, no hash. */
  public JsonObject toPublicJson() {
    return new JsonObject()
        .put("id", id)
        .put("prefix", ApiKeys.PREFIX + id)
        .put("name", name)
        .put("owner", owner)
        .put("models", new JsonArray(models))
        .put("scopes", new JsonArray(scopes))
        .put("rate_per_second", ratePerSecond)
        .put("burst", burst)
        .put("daily_quota", dailyQuota)
        .put("weight", queueShare.weight())
        .put("max_priority", queueShare.maxPriority())
        .put("default_priority", queueShare.defaultPriority())
        .put("expires_at", expiresAt)
        .put("enabled", enabled)
        .put("created_at", createdAt)
        .put("updated_at", updatedAt);
  }

  /**
   * A stored key; one stored before scopes existed has no {@code scopes} and reads as {@link Scopes#DEFAULT}, one
   * stored before queue shares existed has no {@code weight}, {@code max_priority}, {@code default_priority} and
   * reads as {@link QueueShare#DEFAULT}.
   */
  public static ApiKey fromJson(JsonObject j) {
    JsonArray scopes = j.getJsonArray("scopes");
    return new ApiKey(j.getString("id"), j.getString("secret_sha256"), j.getString("name", ""),
        j.getString("owner", ""), j.getJsonArray("models", new JsonArray().add("*")).getList(),
        scopes == null ? Scopes.DEFAULT : scopes.getList(),
        j.getDouble("rate_per_second"), j.getLong("burst"), j.getLong("daily_quota", 0L),
        new QueueShare(j.getDouble("weight", QueueShare.DEFAULT.weight()),
            j.getInteger("max_priority", QueueShare.DEFAULT.maxPriority()),
            j.getInteger("default_priority", QueueShare.DEFAULT.defaultPriority())),
        j.getLong("expires_at", 0L), j.getBoolean("enabled", true), j.getLong("created_at", 0L),
        j.getLong("updated_at", 0L));
  }
}
