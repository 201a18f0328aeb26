package io.maas.config;

import io.vertx.core.json.JsonObject;

/** The whole typed configuration, made once from the merged JSON and passed to every component. */
public record MaasConfig(GatewayConfig gateway, WorkerConfig worker, ClusterConfig cluster, TenancyConfig tenancy,
    MetricsConfig metrics) {

  /** With the default metrics settings ({@link MetricsConfig#LOCAL_RANDOM_PORT}): for tests and embedders. */
  public MaasConfig(GatewayConfig gateway, WorkerConfig worker, ClusterConfig cluster, TenancyConfig tenancy) {
    this(gateway, worker, cluster, tenancy, MetricsConfig.LOCAL_RANDOM_PORT);
  }

  /** Without API keys ({@link TenancyConfig#DISABLED}): for tests and embedders. */
  public MaasConfig(GatewayConfig gateway, WorkerConfig worker, ClusterConfig cluster) {
    this(gateway, worker, cluster, TenancyConfig.DISABLED);
  }

  /**
   * Converts merged configuration JSON, failing with a message naming the bad key.
   *
   * @throws IllegalArgumentException if a value is missing or invalid
   */
  public static MaasConfig fromJson(JsonObject json) {
    try {
      return new MaasConfig(
          GatewayConfig.fromJson(json.getJsonObject("gateway")),
          WorkerConfig.fromJson(json.getJsonObject("worker")),
          ClusterConfig.fromJson(json.getJsonObject("cluster")),
          TenancyConfig.fromJson(json.getJsonObject("gateway")),
          MetricsConfig.fromJson(json.getJsonObject("worker")));
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
    }
  }
}
