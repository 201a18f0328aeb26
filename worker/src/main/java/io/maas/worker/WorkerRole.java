package io.maas.worker;

import io.maas.cluster.ClusterNode;
import io.maas.config.MaasConfig;
import io.maas.metrics.ProcessMetrics;
import io.maas.node.NodeRole;
import io.vertx.core.Future;
import java.util.List;

/**
 * The worker side of a node: one {@link WorkerVerticle} per device slot ({@link WorkerNode}), its models named
 * with base paths checked before the cluster is joined.
 */
public final class WorkerRole implements NodeRole {
  @Override
  public Kind kind() {
    return Kind.WORKER;
  }

  @Override
  public void check(MaasConfig config) {
    WorkerNode.checkModels(config.worker());
  }

  /** Completes with the workers' deployment ids. */
  @Override
  public Future<List<String>> deploy(ClusterNode cluster, MaasConfig config, ProcessMetrics metrics) {
    return WorkerNode.deploy(cluster.vertx(), config.worker(), cluster.nodeId(), metrics.registry(), cluster.hazelcast());
  }
}
