package io.maas.config;

import io.vertx.core.json.JsonObject;

/**
 * The gateway's settings.
 *
 * @param host bind address of the REST server
 * @param httpPort REST port (Triton's 8000)
 * @param grpcPort gRPC port (Triton's 8001)
 * @param maxBodyBytes the largest request body accepted (413 above it)
 * @param maxTensorElements the most elements one request tensor may hold
 * @param requestTimeoutMillis how long the gateway waits for a worker's answer (504 after)
 */
public record GatewayConfig(
    String host, int httpPort, int grpcPort, long maxBodyBytes, long maxTensorElements, long requestTimeoutMillis) {

  static GatewayConfig fromJson(JsonObject j) {
    return new GatewayConfig(
        j.getString("host"),
        ConfigValues.port(j, "gateway", "http_port"),
        ConfigValues.port(j, "gateway", "grpc_port"),
        ConfigValues.positiveLong(j, "gateway", "max_body_bytes"),
        ConfigValues.positiveLong(j, "gateway", "max_tensor_elements"),
        ConfigValues.positiveLong(j, "gateway", "request_timeout_ms"));
  }
}
