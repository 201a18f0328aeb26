package io.maas.gateway;

import io.maas.cluster.ClusterNode;
import io.maas.config.GatewayConfig;
import io.maas.config.MaasConfig;
import io.maas.metrics.ProcessMetrics;
import io.maas.node.NodeRole;
import io.maas.node.PortCheck;
import io.maas.tls.TlsMaterial;
import io.vertx.core.Future;

/**
 * The gateway side of a node: one {@link GatewayVerticle}, its TLS files read and its ports found free before the
 * cluster is joined.
 */
public final class GatewayRole implements NodeRole {
  @Override
  public Kind kind() {
    return Kind.GATEWAY;
  }

  @Override
  public void check(MaasConfig config) {
    GatewayConfig gateway = config.gateway();
    if (gateway.tls().enabled()) {
      TlsMaterial.read(gateway.tls());
    }
    PortCheck.requireFree(config.tenancy().adminHost(), config.tenancy().adminPort(),
        GatewayVerticle.ADMIN_PORT_SETTINGS);
    PortCheck.requireFree(gateway.host(), gateway.httpPort(), GatewayVerticle.HTTP_PORT_SETTINGS);
    if (!gateway.grpcOnHttpPort()) {
      PortCheck.requireFree(gateway.host(), gateway.grpcPort(), GatewayVerticle.GRPC_PORT_SETTINGS);
    }
  }

  /** Completes with the deployed {@link GatewayVerticle}. */
  @Override
  public Future<GatewayVerticle> deploy(ClusterNode cluster, MaasConfig config, ProcessMetrics metrics) {
    GatewayVerticle gateway = new GatewayVerticle(config.gateway(), config.tenancy(), cluster, metrics);
    return cluster.vertx().deployVerticle(gateway).map(id -> gateway);
  }
}
