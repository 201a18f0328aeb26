package io.maas.gateway;

import io.maas.cluster.ClusterNode;
import io.maas.config.MaasConfig;
import io.maas.metrics.ProcessMetrics;
import io.maas.node.NodeRole;
import io.maas.tls.TlsMaterial;
import io.vertx.core.Future;

/** The gateway side of a node: one {@link GatewayVerticle}, its TLS files checked before the cluster is joined. */
public final class GatewayRole implements NodeRole {
  @Override
  public Kind kind() {
    return Kind.GATEWAY;
  }

  @Override
  public void check(MaasConfig config) {
    if (config.gateway().tls().enabled()) {
      TlsMaterial.read(config.gateway().tls());
    }
  }

  /** Completes with the deployed {@link GatewayVerticle}. */
  @Override
  public Future<GatewayVerticle> deploy(ClusterNode cluster, MaasConfig config, ProcessMetrics metrics) {
    GatewayVerticle gateway = new GatewayVerticle(config.gateway(), config.tenancy(), cluster, metrics);
    return cluster.vertx().deployVerticle(gateway).map(id -> gateway);
  }
}
