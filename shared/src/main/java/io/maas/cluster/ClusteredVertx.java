package io.maas.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.maas.bus.Codecs;
import io.maas.config.ClusterConfig;
import io.maas.metrics.ProcessMetrics;
import io.maas.net.AcceptHooks;
import io.maas.tls.HandshakeFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a clustered Vert.x instance on Hazelcast, with the maas codecs registered.
 *
 * <p>The Hazelcast configuration starts from Vert.x's own (it declares the structures the event bus
 * needs) or from {@code cluster.config_file}; the cluster name, bind interface, port and TCP-IP member
 * list come from {@link ClusterConfig}. Multicast and auto-detection are off: members are listed.
 *
 * <p>With {@code cluster.tls.*} the event bus runs over mutual TLS ({@link EventBusSettings}); Hazelcast's own
 * port stays plaintext (its open-source edition has no TLS), and carries no tensor and no API-key secret.
 */
public final class ClusteredVertx {
  private static final Logger LOG = LoggerFactory.getLogger(ClusteredVertx.class);

  private ClusteredVertx() {}

  /** What a member keeps of the cluster's data. */
  public enum Membership {
    /** A gateway (or a standalone node): owns partitions of every cluster map, with their backups. */
    DATA,
    /**
     * A worker-only process: a Hazelcast lite member that owns no partition, so freezing or leaving
     * costs the cluster no data and stalls no one ({@link LiteMemberClusterManager}).
     */
    LITE
  }

  /** A clustered Vert.x data member without metrics. */
  public static Future<ClusterNode> start(ClusterConfig cluster) {
    return start(cluster, Membership.DATA, null);
  }

  /** @param metrics the process's registry, where Vert.x records its own metrics; null: none */
  public static Future<ClusterNode> start(ClusterConfig cluster, Membership membership, ProcessMetrics metrics) {
    return start(cluster, membership, metrics, null);
  }

  /**
   * @param metrics the process's registry, where Vert.x records its own metrics; null: none
   * @param acceptHooks what the servers of this Vert.x do with each connection they accept (a gateway's client
   *     limits); null: nothing, Vert.x's default transport
   */
  public static Future<ClusterNode> start(ClusterConfig cluster, Membership membership, ProcessMetrics metrics,
      AcceptHooks acceptHooks) {
    String address;
    Config hazelcast;
    EventBusOptions bus;
    try {
      address = cluster.bindAddress();
      hazelcast = hazelcastConfig(cluster, address);
      // with cluster.tls.*, the files are read and checked here: a bad one refuses the start, naming it
      bus = EventBusSettings.of(cluster, address);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    HazelcastClusterManager manager = membership == Membership.LITE
        ? new LiteMemberClusterManager(hazelcast, Duration.ofSeconds(cluster.heartbeatSeconds()))
        : new HazelcastClusterManager(hazelcast);
    VertxOptions options = new VertxOptions().setEventBusOptions(bus);
    VertxBuilder builder = metrics == null ? Vertx.builder().with(options) : metrics.instrument(Vertx.builder(), options);
    // with TLS, the bus's own server reports failed handshakes from its accept hook: a worker needs hooks too
    AcceptHooks hooks = acceptHooks == null && bus.isSsl() ? new AcceptHooks() : acceptHooks;
    if (hooks != null) {
      builder.withTransport(hooks.transport());
    }
    return builder
        .withClusterManager(manager)
        .buildClustered()
        .map(vertx -> {
          Codecs.register(vertx.eventBus());
          if (bus.isSsl()) {
            watchHandshakes(cluster, manager, hooks);
          }
          return new ClusterNode(vertx, manager, acceptHooks);
        });
  }

  /**
   * Hooks the event bus's server port, once it listens: its bound port is {@code cluster.bus_port}, or when that is
   * 0 the one Vert.x announced (the same, as a public port needs a fixed bus port).
   */
  private static void watchHandshakes(ClusterConfig cluster, HazelcastClusterManager manager, AcceptHooks hooks) {
    int port = cluster.busPort() > 0 ? cluster.busPort() : manager.getNodeInfo().port();
    hooks.register(port, new InboundHandshakes(new HandshakeFailures()));
    LOG.info("event bus: mutual TLS on {}:{} (cluster.tls.*: members need a certificate from {})",
        manager.getNodeInfo().host(), port, cluster.tls().caFile());
  }

  /**
   * @param address the member's IP address ({@link ClusterConfig#bindAddress()}): Hazelcast's interfaces
   *     take IP addresses (or patterns), not host names
   */
  static Config hazelcastConfig(ClusterConfig cluster, String address) {
    if (!cluster.configFile().isEmpty()) {
      try {
        Config fromFile = Config.loadFromFile(new File(cluster.configFile()));
        ClusterSerialization.register(fromFile.getSerializationConfig());
        return fromFile;
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read cluster.config_file " + cluster.configFile() + ": " + e.getMessage());
      }
    }
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    ClusterSerialization.register(config.getSerializationConfig());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // Hazelcast's defaults (a heartbeat every 5 s, a member silent for 60 s is dead) would keep a frozen member
    // in the cluster for a minute; 3 s ejected healthy members under ordinary load. A member that dies outright
    // is seen sooner, when its connections close; a frozen worker leaves routing when its announcements expire.
    config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(cluster.heartbeatSeconds()));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(cluster.memberTimeoutSeconds()));
    // A member removed while paused (a GC pause, a frozen VM) and resumed forms a cluster of its own; Hazelcast's
    // split-brain handler merges it back, by default 300 s after start and every 120 s. A cut-off worker would
    // stay unrouted that long: the cluster looks for such members every few seconds instead.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(cluster.rejoinCheckSeconds()));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(cluster.rejoinCheckSeconds()));
    // maas's own shutdown hook leaves the cluster after workers drain; Hazelcast's would leave first
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    // a public port maps to one port bound: no other may be taken instead
    network.setPort(cluster.port()).setPortAutoIncrement(cluster.publicPort() == 0);
    if (cluster.publicPort() > 0) {
      network.setPublicAddress(address + ":" + cluster.publicPort());
    }
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(address));
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    // no members: a cluster of one that probes no port for others (the TF Serving drop-in, an embedded server)
    join.getTcpIpConfig().setEnabled(!cluster.members().isEmpty()).setMembers(cluster.members());
    return config;
  }
}
