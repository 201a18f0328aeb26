package io.maas.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.maas.tls.HandshakeFailures;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Marker;

/**
 * Turns the WARN and stack trace Vert.x logs each time its event bus fails to connect to a member over TLS
 * ({@code ClusteredEventBus - Connecting to server <node id> failed}) into {@link HandshakeFailures}' one WARN per
 * peer, naming it by node id and Hazelcast address. Vert.x tries again for every message sent to that member, so a
 * member without a certificate from the cluster's CA subscribed to a published address (a gateway listening for
 * worker announcements) would otherwise cost every worker a stack trace per announcement. Failures that are not TLS
 * handshakes (a member that died) still show as Vert.x logs them. Registered in {@code conf/logback.xml}.
 */
public final class BusConnectFailures extends TurboFilter {
  static final String CLUSTERED_EVENT_BUS = "io.vertx.core.eventbus.impl.clustered.ClusteredEventBus";
  private static final Pattern CONNECTING = Pattern.compile("Connecting to server (\\S+) failed");
  /** The Hazelcast member attribute in which vertx-hazelcast keeps a member's Vert.x node id. */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  /**
   * Made at the first failure, not with the filter: logback makes the filter while SLF4J initialises, and a logger
   * asked for then (by a class initialised then) is not the one configured.
   */
  private volatile HandshakeFailures failures;

  public BusConnectFailures() {}

  BusConnectFailures(HandshakeFailures failures) {
    this.failures = failures;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != Level.WARN || logger == null || format == null || !CLUSTERED_EVENT_BUS.equals(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    Matcher connecting = CONNECTING.matcher(format);
    if (!connecting.matches() || !HandshakeFailures.isHandshakeFailure(t)) {
      return FilterReply.NEUTRAL;
    }
    String nodeId = connecting.group(1);
    failures().outbound(nodeId, describe(nodeId), t);
    return FilterReply.DENY;
  }

  private HandshakeFailures failures() {
    HandshakeFailures f = failures;
    if (f == null) {
      synchronized (this) {
        if (failures == null) {
          failures = new HandshakeFailures();
        }
        f = failures;
      }
    }
    return f;
  }

  /** The node id, with the member's Hazelcast address and role when a Hazelcast instance of this JVM knows it. */
  static String describe(String nodeId) {
    for (HazelcastInstance hazelcast : Hazelcast.getAllHazelcastInstances()) {
      try {
        for (Member member : hazelcast.getCluster().getMembers()) {
          if (nodeId.equals(member.getAttribute(NODE_ID_ATTRIBUTE))) {
            return nodeId + " (" + (member.isLiteMember() ? "a worker" : "a gateway") + ", Hazelcast "
                + member.getAddress() + ")";
          }
        }
      } catch (RuntimeException e) {
        // an instance shutting down: ask the next
      }
    }
    return nodeId;
  }
}
