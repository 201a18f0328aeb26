package io.maas.node;

/** The ports a running gateway listens on (the actual ones, where the configuration asked for port 0). */
public interface GatewayPorts {
  /** REST (KServe V2, TF Serving, simple predict, OpenAI). */
  int httpPort();

  /** gRPC (KServe V2, health, reflection). */
  int grpcPort();

  /** Admin API and {@code GET /metrics}. */
  int adminPort();
}
