package io.maas.gateway.edge;

import io.maas.config.GatewayConfig;

/**
 * What one decoded request may hold, the same on every edge that decodes tensors (KServe V2 REST and gRPC, TF
 * Serving, simple predict).
 *
 * @param maxTensorElements the most elements one tensor may have ({@code gateway.max_tensor_elements})
 * @param maxTensors the most input (or requested output) tensors one request may name
 */
public record EdgeLimits(long maxTensorElements, int maxTensors) {
  /** How many tensors a request may name: far more than any model has inputs. */
  public static final int MAX_TENSORS = 1024;

  /** The limits the gateway's configuration sets. */
  public static EdgeLimits of(GatewayConfig config) {
    return new EdgeLimits(config.maxTensorElements(), MAX_TENSORS);
  }
}
