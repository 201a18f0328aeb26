package io.maas.node;

import io.maas.cluster.ClusterNode;
import io.maas.config.MaasConfig;
import io.maas.metrics.ProcessMetrics;
import io.vertx.core.Future;

/**
 * One side of a maas process: the gateway or the workers. A module that provides one names it in
 * {@code META-INF/services/io.maas.node.NodeRole}, and {@link MaasNode} finds it there, so a jar runs the modes
 * whose roles it holds: {@code maas-gateway.jar} both, {@code maas-gateway-only.jar} the gateway,
 * {@code maas-worker.jar} the workers. The gateway module never compiles against the worker's code.
 */
public interface NodeRole {
  /** Which side this is. */
  enum Kind {
    WORKER("worker"),
    GATEWAY("gateway");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    /** The mode word that runs this side alone. */
    public String word() {
      return word;
    }
  }

  Kind kind();

  /**
   * Refuses, before the cluster is joined, what can be checked alone (TLS files, model base paths): an
   * {@link IllegalArgumentException} that names the setting.
   */
  void check(MaasConfig config);

  /**
   * Deploys this side into the joined cluster. Completes with what it deployed, which {@link MaasNode#deployed}
   * finds by type; everything deployed closes with the node's Vert.x.
   */
  Future<?> deploy(ClusterNode cluster, MaasConfig config, ProcessMetrics metrics);
}
