package io.maas.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports event-bus TLS handshakes that failed with a peer: one WARN the first time for each peer, then at most one
 * every {@link #REPEAT} for it, saying how many failed meanwhile. A member without a certificate from the cluster's
 * CA (or without TLS) is tried on every message sent its way, so without this its peers would log a stack trace
 * every time; an operator needs to know once which peer it is and why, not a flood.
 */
public final class HandshakeFailures {
  /** How often one peer's failures are reported again while they go on. */
  public static final Duration REPEAT = Duration.ofMinutes(10);
  private static final int MAX_DETAIL = 200;

  private final Logger log;
  private final LongSupplier nanoClock;
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();

  private static final class Peer {
    long reportedAt;
    long unreported;
  }

  public HandshakeFailures() {
    this(LoggerFactory.getLogger(HandshakeFailures.class), System::nanoTime);
  }

  HandshakeFailures(Logger log, LongSupplier nanoClock) {
    this.log = log;
    this.nanoClock = nanoClock;
  }

  /**
   * Whether a failure is a TLS handshake that went wrong (a certificate refused, a peer speaking plaintext, a
   * handshake that timed out), as opposed to a network failure. A peer that closes the connection before its
   * handshake began (a port probe) is not one.
   */
  public static boolean isHandshakeFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof NotSslRecordException) {
        return true;
      }
      if (t instanceof SSLException) {
        return !String.valueOf(t.getMessage()).startsWith("Connection closed while SSL/TLS handshake");
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * This member could not open a TLS connection to another member's event bus: the peer gets no message from it.
   *
   * @param nodeId the peer's Vert.x node id (the key its reports are limited by)
   * @param peer how to name it in the log (its id and address)
   */
  public void outbound(String nodeId, String peer, Throwable failure) {
    report("to " + nodeId, failure, unreported -> log.warn("event bus: no TLS connection to cluster member {}: {}; "
        + "it gets no messages from this member{}", peer, reason(failure), repeated(unreported)));
  }

  /**
   * A connection to this member's event bus failed its TLS handshake: what the peer sends is dropped.
   *
   * @param host the peer's address, without the port (its reports are limited by host)
   * @param peer how to name it in the log (address and port)
   */
  public void inbound(String host, String peer, Throwable failure) {
    report("from " + host, failure, unreported -> log.warn("event bus: a connection from {} failed its TLS "
        + "handshake: {}; nothing it sends is delivered{}", peer, reason(failure), repeated(unreported)));
  }

  private interface Line {
    void write(long unreported);
  }

  private void report(String key, Throwable failure, Line line) {
    long now = nanoClock.getAsLong();
    long unreported;
    Peer peer = peers.computeIfAbsent(key, k -> new Peer());
    synchronized (peer) {
      if (peer.reportedAt != 0 && now - peer.reportedAt < REPEAT.toNanos()) {
        peer.unreported++;
        return;
      }
      unreported = peer.unreported;
      peer.reportedAt = now == 0 ? 1 : now;
      peer.unreported = 0;
    }
    line.write(unreported);
  }

  private static String repeated(long unreported) {
    return (unreported > 0 ? " (" + unreported + " more failed since the last report)" : "")
        + "; further failures with this peer are reported at most every " + REPEAT.toMinutes() + " minutes";
  }

  /** Why a handshake failed, in words that point at the setting to check, then the TLS stack's own words. */
  static String reason(Throwable failure) {
    Throwable root = failure;
    String why = null;
    for (Throwable t = failure; t != null && why == null; t = t.getCause() == t ? null : t.getCause()) {
      root = t;
      String message = String.valueOf(t.getMessage());
      if (t instanceof NotSslRecordException) {
        why = "it does not speak TLS (a member without cluster.tls.* settings?)";
      } else if (t instanceof SslHandshakeTimeoutException) {
        why = "the TLS handshake did not complete in time (a member without cluster.tls.* settings?)";
      } else if (message.contains("PKIX") || message.contains("certification path")) {
        why = "its certificate is not from this cluster's CA (cluster.tls.ca_file)";
      } else if (message.contains("Empty client certificate chain") || message.contains("certificate_required")
          || message.contains("null cert chain")) {
        why = "it presented no certificate";
      } else if (message.contains("Received fatal alert")) {
        why = "it refused this member's certificate (" + message.substring(message.indexOf("alert") + 6).trim()
            + "): it trusts another CA than the one that issued cluster.tls.cert_file";
      }
    }
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (why == null && root instanceof ClosedChannelException) {
      why = "it closed the connection during the TLS handshake (a member without cluster.tls.* settings?)";
    }
    // Netty's NotSslRecordException carries a hex dump of what the peer sent: a plaintext member's message, tensors
    // and headers included, which has no place in a log
    String detail = root instanceof NotSslRecordException ? "not an SSL/TLS record" : String.valueOf(root.getMessage());
    if (detail.length() > MAX_DETAIL) {
      detail = detail.substring(0, MAX_DETAIL) + "...";
    }
    return (why != null ? why : "the TLS handshake failed") + " [" + root.getClass().getSimpleName() + ": " + detail
        + "]";
  }
}
