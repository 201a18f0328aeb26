package io.maas.gateway;

import io.maas.cluster.ClusterNode;
import io.maas.cluster.ClusteredVertx;
import io.maas.config.MaasConfig;
import io.maas.metrics.AdminServer;
import io.maas.metrics.ProcessMetrics;
import io.maas.net.AcceptHooks;
import io.maas.tls.TlsMaterial;
import io.maas.worker.WorkerNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running maas process: a clustered Vert.x with the gateway, the workers, or both (standalone).
 */
public final class MaasNode {
  private static final Logger LOG = LoggerFactory.getLogger(MaasNode.class);
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
  private final ProcessMetrics metrics;
  /** A worker-only node's metrics server; null where the gateway's admin server serves /metrics. */
  private final HttpServer metricsServer;

  private MaasNode(Vertx vertx, GatewayVerticle gateway, ProcessMetrics metrics, HttpServer metricsServer) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.metrics = metrics;
    this.metricsServer = metricsServer;
  }

  /**
   * Joins (or, alone, forms) the cluster and deploys what the mode asks for; models named with base paths
   * that cannot be served, and TLS files that cannot be (gateway.tls), fail it at once, before the cluster starts. The process's one metrics
   * registry is made here and served at {@code GET /metrics}: on the gateway's admin server, or for a
   * worker-only node on {@code worker.metrics_host:metrics_port}.
   */
  public static Future<MaasNode> start(MaasConfig config, Mode mode) {
    try {
      if (mode.worker) {
        WorkerNode.checkModels(config.worker());
      }
      if (mode.gateway && config.gateway().tls().enabled()) {
        TlsMaterial.read(config.gateway().tls());
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    ProcessMetrics metrics = ProcessMetrics.create();
    return unbound(ClusteredVertx.start(config.cluster(),
        mode.gateway ? ClusteredVertx.Membership.DATA : ClusteredVertx.Membership.LITE, metrics,
        mode.gateway ? new AcceptHooks() : null))
        .compose(cluster -> unbound(deploy(cluster, config, mode, metrics)).recover(e -> closeAndFail(cluster.vertx(), e)))
        .onFailure(e -> metrics.close());
  }

  private static Future<MaasNode> deploy(ClusterNode cluster, MaasConfig config, Mode mode, ProcessMetrics metrics) {
    Vertx vertx = cluster.vertx();
    Future<HttpServer> metricsServer = mode.gateway ? Future.succeededFuture()
        : AdminServer.listen(vertx, config.metrics().workerHost(), config.metrics().workerPort(),
            "worker.metrics_host, worker.metrics_port", metrics, null)
            .onSuccess(s -> LOG.info("metrics (GET /metrics) on {}:{}", config.metrics().workerHost(), s.actualPort()));
    GatewayVerticle gateway = mode.gateway
        ? new GatewayVerticle(config.gateway(), config.tenancy(), cluster, metrics) : null;
    return metricsServer
        .compose(s -> (mode.worker
            ? WorkerNode.deploy(vertx, config.worker(), cluster.nodeId(), metrics.registry(), cluster.hazelcast())
            : Future.succeededFuture())
            .compose(w -> gateway == null ? Future.succeededFuture() : vertx.deployVerticle(gateway))
            .map(d -> new MaasNode(vertx, gateway, metrics, s)));
  }

  /**
   * The same outcome on a future bound to no Vert.x context. A failed start closes Vert.x, after which a
   * future bound to one of its event loops can no longer tell anyone (its executor rejects the callback) and
   * the caller would wait forever.
   */
  private static <T> Future<T> unbound(Future<T> onSomeContext) {
    Promise<T> free = Promise.promise();
    onSomeContext.onComplete(free);
    return free.future();
  }

  private static Future<MaasNode> closeAndFail(Vertx vertx, Throwable failure) {
    Promise<MaasNode> failed = Promise.promise();
    vertx.close().onComplete(closed -> failed.fail(failure));
    return failed.future();
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

  /** The port serving GET /metrics: the gateway's admin port, or a worker-only node's metrics port. */
  public int metricsPort() {
    return gateway != null ? gateway.adminPort() : metricsServer.actualPort();
  }

  /** This process's metrics registry. */
  public ProcessMetrics metrics() {
    return metrics;
  }

  /** Undeploys everything (workers drain their in-flight requests) and leaves the cluster. */
  public Future<Void> close() {
    return vertx.close().andThen(closed -> metrics.close());
  }
}
