package io.maas.node;

import io.maas.cluster.ClusterNode;
import io.maas.cluster.ClusteredVertx;
import io.maas.config.MaasConfig;
import io.maas.metrics.AdminServer;
import io.maas.metrics.ProcessMetrics;
import io.maas.net.AcceptHooks;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running maas process, and the one place where one is assembled: a clustered Vert.x, the process's metrics
 * registry, and the {@link NodeRole}s its mode asks for (the workers, the gateway, or both: standalone). The
 * roles come from the classpath, so every jar starts here ({@link Main}).
 */
public final class MaasNode {
  private static final Logger LOG = LoggerFactory.getLogger(MaasNode.class);
  private static final String WORKER_METRICS_SETTINGS = "worker.metrics_host, worker.metrics_port";

  /** What a process runs. */
  public enum Mode {
    STANDALONE(EnumSet.of(NodeRole.Kind.WORKER, NodeRole.Kind.GATEWAY), "maas-gateway.jar"),
    GATEWAY(EnumSet.of(NodeRole.Kind.GATEWAY), "maas-gateway.jar or maas-gateway-only.jar"),
    WORKER(EnumSet.of(NodeRole.Kind.WORKER), "maas-worker.jar or maas-gateway.jar");

    final Set<NodeRole.Kind> kinds;
    /** The jars that hold this mode's roles. */
    private final String jars;

    Mode(Set<NodeRole.Kind> kinds, String jars) {
      this.kinds = kinds;
      this.jars = jars;
    }

    boolean runs(NodeRole.Kind kind) {
      return kinds.contains(kind);
    }

    /** The mode a word names; none names every side this classpath holds (standalone where it holds both). */
    public static Mode parse(String word, Set<NodeRole.Kind> held) {
      Mode mode = switch (word) {
        case "" -> held.contains(NodeRole.Kind.GATEWAY) ? (held.contains(NodeRole.Kind.WORKER) ? STANDALONE : GATEWAY)
            : WORKER;
        case "standalone" -> STANDALONE;
        case "gateway" -> GATEWAY;
        case "worker" -> WORKER;
        default -> throw new IllegalArgumentException("unknown mode '" + word + "': use standalone, gateway or worker");
      };
      mode.requireHeld(held);
      return mode;
    }

    /** Refuses a mode whose roles the classpath lacks, naming the jar that has them. */
    void requireHeld(Set<NodeRole.Kind> held) {
      for (NodeRole.Kind kind : kinds) {
        if (!held.contains(kind)) {
          throw new IllegalArgumentException("this jar holds no " + kind.word() + ", which mode "
              + name().toLowerCase(Locale.ROOT) + " needs: run it with " + jars);
        }
      }
    }

    /** The roles this mode runs, the workers first. */
    List<NodeRole> pick(Map<NodeRole.Kind, NodeRole> held) {
      requireHeld(held.keySet());
      return kinds.stream().sorted().map(held::get).toList();
    }
  }

  private final Vertx vertx;
  private final ProcessMetrics metrics;
  /** A worker-only node's metrics server; null where the gateway's admin server serves /metrics. */
  private final HttpServer metricsServer;
  private final List<Object> deployed;

  private MaasNode(Vertx vertx, ProcessMetrics metrics, HttpServer metricsServer, List<Object> deployed) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.metricsServer = metricsServer;
    this.deployed = deployed;
  }

  /** The roles on this classpath, one per kind. */
  public static Map<NodeRole.Kind, NodeRole> roles() {
    Map<NodeRole.Kind, NodeRole> roles = new EnumMap<>(NodeRole.Kind.class);
    for (NodeRole role : ServiceLoader.load(NodeRole.class, MaasNode.class.getClassLoader())) {
      NodeRole other = roles.putIfAbsent(role.kind(), role);
      if (other != null) {
        throw new IllegalStateException("two " + role.kind().word() + " roles on the classpath: "
            + other.getClass().getName() + ", " + role.getClass().getName());
      }
    }
    return roles;
  }

  /** {@link #start(MaasConfig, Mode, Map)} with the roles on this classpath. */
  public static Future<MaasNode> start(MaasConfig config, Mode mode) {
    return start(config, mode, roles());
  }

  /**
   * Checks what each role can check alone (a bad TLS file, a model base path or a listening port taken fails
   * it here, before the cluster starts), joins (or, alone, forms) the cluster and deploys the roles the mode
   * asks for, the workers first. The process's one metrics registry is made here and served at
   * {@code GET /metrics}: on the gateway's admin server, or for a worker-only node on
   * {@code worker.metrics_host:metrics_port}.
   */
  public static Future<MaasNode> start(MaasConfig config, Mode mode, Map<NodeRole.Kind, NodeRole> roles) {
    boolean gateway = mode.runs(NodeRole.Kind.GATEWAY);
    List<NodeRole> running;
    try {
      running = mode.pick(roles);
      running.forEach(role -> role.check(config));
      if (!gateway) {
        PortCheck.requireFree(config.metrics().workerHost(), config.metrics().workerPort(), WORKER_METRICS_SETTINGS);
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    ProcessMetrics metrics = ProcessMetrics.create();
    return unbound(ClusteredVertx.start(config.cluster(),
        gateway ? ClusteredVertx.Membership.DATA : ClusteredVertx.Membership.LITE, metrics,
        gateway ? new AcceptHooks() : null))
        .compose(cluster -> unbound(deploy(cluster, config, gateway, running, metrics))
            .recover(e -> closeAndFail(cluster.vertx(), e)))
        .onFailure(e -> metrics.close());
  }

  private static Future<MaasNode> deploy(ClusterNode cluster, MaasConfig config, boolean gateway,
      List<NodeRole> roles, ProcessMetrics metrics) {
    Vertx vertx = cluster.vertx();
    Future<HttpServer> metricsServer = gateway ? Future.succeededFuture()
        : AdminServer.listen(vertx, config.metrics().workerHost(), config.metrics().workerPort(),
            WORKER_METRICS_SETTINGS, metrics, null)
            .onSuccess(s -> LOG.info("metrics (GET /metrics) on {}:{}", config.metrics().workerHost(), s.actualPort()));
    List<Object> deployed = new ArrayList<>();
    Future<Void> chain = metricsServer.mapEmpty();
    for (NodeRole role : roles) {
      chain = chain.compose(v -> role.deploy(cluster, config, metrics)).map(d -> {
        deployed.add(d);
        return null;
      });
    }
    return chain.map(v -> new MaasNode(vertx, metrics, metricsServer.result(), List.copyOf(deployed)));
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

  /** What a role deployed, of this type (the gateway's verticle, say); fails where this node runs none. */
  public <T> T deployed(Class<T> type) {
    return deployed.stream().filter(type::isInstance).map(type::cast).findFirst()
        .orElseThrow(() -> new IllegalStateException("this node deployed no " + type.getSimpleName() + ": "
            + deployed.stream().map(d -> d.getClass().getSimpleName()).collect(Collectors.joining(", "))));
  }

  /** The gateway's REST port; only for nodes that run a gateway. */
  public int httpPort() {
    return deployed(GatewayPorts.class).httpPort();
  }

  /** The gateway's gRPC port; only for nodes that run a gateway. */
  public int grpcPort() {
    return deployed(GatewayPorts.class).grpcPort();
  }

  /** The port serving GET /metrics: the gateway's admin port, or a worker-only node's metrics port. */
  public int metricsPort() {
    return metricsServer == null ? deployed(GatewayPorts.class).adminPort() : metricsServer.actualPort();
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
