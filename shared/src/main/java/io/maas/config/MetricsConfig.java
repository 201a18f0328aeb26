package io.maas.config;

import io.vertx.core.json.JsonObject;

/**
 * Where a worker-only process serves {@code GET /metrics} (settings under {@code worker.*}). A gateway or
 * standalone process serves it on its admin server instead ({@code gateway.admin_host}/{@code admin_port}).
 *
 * @param workerHost bind address of a worker-only process's metrics server
 * @param workerPort its port (Triton's metrics port, 8002, by default; 0: a random one). Processes sharing a
 *     host need one each
 */
public record MetricsConfig(String workerHost, int workerPort) {
  /** Loopback, a random port: for tests and embedders. */
  public static final MetricsConfig LOCAL_RANDOM_PORT = new MetricsConfig("127.0.0.1", 0);

  static MetricsConfig fromJson(JsonObject worker) {
    return new MetricsConfig(
        ConfigValues.text(worker, "worker", "metrics_host"),
        ConfigValues.port(worker, "worker", "metrics_port"));
  }
}
