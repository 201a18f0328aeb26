package io.maas.gateway;

import io.maas.cluster.ClusteredVertx;
import io.maas.config.MaasConfig;
import io.maas.worker.WorkerNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A running maas process: a clustered Vert.x with the gateway, the workers, or both (standalone).
 */
public final class MaasNode {
  /** What a process runs. */
  public enum Mode {
    STANDALONE(true, true),
    GATEWAY(true, false),
    WORKER(false, true);

    final boolean gateway;
    final boolean worker;

    Mode(boolean gateway, boolean worker) {
      this.gateway = gateway;
      this.worker = worker;
    }

    public static Mode parse(String word) {
      return switch (word) {
        case "", "standalone" -> STANDALONE;
        case "gateway" -> GATEWAY;
        case "worker" -> WORKER;
        default -> throw new IllegalArgumentException("unknown mode '" + word + "': use standalone, gateway or worker");
      };
    }
  }

  private final Vertx vertx;
  private final GatewayVerticle gateway;

  private MaasNode(Vertx vertx, GatewayVerticle gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  /** Joins (or, alone, forms) the cluster and deploys what the mode asks for. */
  public static Future<MaasNode> start(MaasConfig config, Mode mode) {
    return ClusteredVertx.start(config.cluster()).compose(cluster -> {
      Vertx vertx = cluster.vertx();
      Future<?> workers = mode.worker
          ? WorkerNode.deploy(vertx, config.worker(), cluster.nodeId()) : Future.succeededFuture();
      GatewayVerticle gateway = mode.gateway ? new GatewayVerticle(config.gateway(), config.tenancy(), cluster) : null;
      return workers
          .compose(w -> gateway == null ? Future.succeededFuture() : vertx.deployVerticle(gateway))
          .map(d -> new MaasNode(vertx, gateway))
          .recover(e -> vertx.close().transform(c -> Future.failedFuture(e)));
    });
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The gateway verticle; only for nodes that run a gateway. */
  public GatewayVerticle gateway() {
    return gateway;
  }

  /** The gateway's REST port; only for nodes that run a gateway. */
  public int httpPort() {
    return gateway.httpPort();
  }

  /** The gateway's gRPC port; only for nodes that run a gateway. */
  public int grpcPort() {
    return gateway.grpcPort();
  }

  /** Undeploys everything (workers drain their in-flight requests) and leaves the cluster. */
  public Future<Void> close() {
    return vertx.close();
  }
}
