package io.maas.config;

import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * How this process joins the Hazelcast cluster.
 *
 * @param name the cluster name: only members with the same name join each other
 * @param host the address Hazelcast and the event bus bind to and announce to the other members: an IP
 *     address, or a host name resolved once at start (in a container, its own service or host name)
 * @param port Hazelcast's first port (it tries the next ones if taken)
 * @param members the TCP-IP member list to join through
 * @param configFile an optional Hazelcast XML/YAML file replacing the built-in network settings
 *     (e.g. for Kubernetes discovery); "" for none
 * @param heartbeatSeconds how often members tell each other they are alive
 * @param memberTimeoutSeconds a member silent this long is taken for dead and removed (a member that dies
 *     outright is usually seen sooner, when its connections close)
 * @param rejoinCheckSeconds how often a cluster looks for members cut off from it (a paused process that
 *     was removed and resumed forms a cluster of its own) and merges them back
 * @param publicPort the Hazelcast port other members are told to reach this one at, where a port mapping (NAT, a
 *     container's published port, a proxy) differs from the port bound; 0: the port bound
 * @param busPort the event bus's port; 0: a free port chosen at start
 * @param busPublicPort the event-bus port other members are told to reach this one at (a port mapping); 0: the
 *     port bound
 * @param tls mutual TLS on the event bus, or {@link ClusterTls#OFF}
 */
public record ClusterConfig(String name, String host, int port, List<String> members, String configFile,
    int heartbeatSeconds, int memberTimeoutSeconds, int rejoinCheckSeconds, int publicPort, int busPort,
    int busPublicPort, ClusterTls tls) {
  public static final int DEFAULT_HEARTBEAT_SECONDS = 1;
  public static final int DEFAULT_MEMBER_TIMEOUT_SECONDS = 10;
  public static final int DEFAULT_REJOIN_CHECK_SECONDS = 5;

  public ClusterConfig {
    members = List.copyOf(members);
    if (heartbeatSeconds < 1 || memberTimeoutSeconds <= heartbeatSeconds) {
      throw new IllegalArgumentException("cluster.member_timeout_s (" + memberTimeoutSeconds
          + ") must be above cluster.heartbeat_s (" + heartbeatSeconds + "), which must be at least 1");
    }
    if (rejoinCheckSeconds < 1) {
      throw new IllegalArgumentException("cluster.rejoin_check_s must be at least 1, not " + rejoinCheckSeconds);
    }
    if (busPublicPort > 0 && busPort == 0) {
      throw new IllegalArgumentException("cluster.bus_public_port (" + busPublicPort + ") maps to a fixed port: set "
          + "cluster.bus_port too");
    }
  }

  /** The ports bound are the ports announced. */
  public ClusterConfig(String name, String host, int port, List<String> members, String configFile,
      int heartbeatSeconds, int memberTimeoutSeconds, int rejoinCheckSeconds, ClusterTls tls) {
    this(name, host, port, members, configFile, heartbeatSeconds, memberTimeoutSeconds, rejoinCheckSeconds, 0, 0, 0,
        tls);
  }

  /** A plaintext event bus. */
  public ClusterConfig(String name, String host, int port, List<String> members, String configFile,
      int heartbeatSeconds, int memberTimeoutSeconds, int rejoinCheckSeconds) {
    this(name, host, port, members, configFile, heartbeatSeconds, memberTimeoutSeconds, rejoinCheckSeconds,
        ClusterTls.OFF);
  }

  /** The same membership with mutual TLS on the event bus, or {@link ClusterTls#OFF}. */
  public ClusterConfig withTls(ClusterTls t) {
    return new ClusterConfig(name, host, port, members, configFile, heartbeatSeconds, memberTimeoutSeconds,
        rejoinCheckSeconds, publicPort, busPort, busPublicPort, t);
  }

  /** The default failure detector. */
  public ClusterConfig(String name, String host, int port, List<String> members, String configFile) {
    this(name, host, port, members, configFile, DEFAULT_HEARTBEAT_SECONDS, DEFAULT_MEMBER_TIMEOUT_SECONDS,
        DEFAULT_REJOIN_CHECK_SECONDS);
  }

  /**
   * The IP address of {@link #host()}: the host itself when it is an IP address, else the address its
   * name resolves to. Other members reach this one there, so a wildcard address is refused.
   *
   * @throws IllegalArgumentException when the name does not resolve, or the address is a wildcard
   */
  public String bindAddress() {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cluster.host '" + host + "' does not resolve to an address: " + e.getMessage());
    }
    if (address.isAnyLocalAddress()) {
      throw new IllegalArgumentException("cluster.host must be an address the other members can reach, not the "
          + "wildcard " + host + ": give this machine's (or container's) IP address or host name");
    }
    return address.getHostAddress();
  }

  static ClusterConfig fromJson(JsonObject j) {
    return new ClusterConfig(
        ConfigValues.text(j, "cluster", "name"), ConfigValues.text(j, "cluster", "host"),
        ConfigValues.port(j, "cluster", "port"), ConfigValues.textList(j, "cluster", "members"),
        ConfigValues.text(j, "cluster", "config_file"),
        (int) ConfigValues.positiveLong(j, "cluster", "heartbeat_s"),
        (int) ConfigValues.positiveLong(j, "cluster", "member_timeout_s"),
        (int) ConfigValues.positiveLong(j, "cluster", "rejoin_check_s"),
        ConfigValues.port(j, "cluster", "public_port"), ConfigValues.port(j, "cluster", "bus_port"),
        ConfigValues.port(j, "cluster", "bus_public_port"),
        ClusterTls.fromJson(ConfigValues.section(j, "cluster", "tls")));
  }
}
