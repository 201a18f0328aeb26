package io.maas.gateway.edge;

import io.maas.net.AcceptHook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one client-facing server (REST or gRPC): at most {@code gateway.max_connections} at once
 * (one more is closed as soon as it is accepted, unread), each under a {@link ConnectionGuard}. Meters
 * {@code maas_gateway_connections_open} and {@code maas_gateway_connections_closed_total} by reason, tagged with
 * the server's name.
 */
public final class ClientConnections implements AcceptHook {
  private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);
  static final String OVER_LIMIT = "over_limit";

  private final int maxConnections;
  private final long headerTimeoutNanos;
  private final long keepAliveIdleNanos;
  private final AtomicInteger open = new AtomicInteger();
  private final Counter overLimit;
  private final Map<ConnectionGuard.Reason, Counter> closedByGuard = new EnumMap<>(ConnectionGuard.Reason.class);

  /**
   * @param server the server's name in the meters' {@code server} tag ({@code rest}, {@code grpc})
   */
  public ClientConnections(String server, io.maas.config.GatewayConfig.ConnectionLimits limits, MeterRegistry meters) {
    this.maxConnections = limits.maxConnections();
    this.headerTimeoutNanos = TimeUnit.SECONDS.toNanos(limits.headerTimeoutSeconds());
    this.keepAliveIdleNanos = TimeUnit.SECONDS.toNanos(limits.keepAliveIdleSeconds());
    Gauge.builder("maas.gateway.connections.open", open, AtomicInteger::get)
        .description("client connections open on the server now")
        .tag("server", server)
        .register(meters);
    this.overLimit = closed(meters, server, OVER_LIMIT);
    for (ConnectionGuard.Reason r : ConnectionGuard.Reason.values()) {
      closedByGuard.put(r, closed(meters, server, r.tag));
    }
  }

  private static Counter closed(MeterRegistry meters, String server, String reason) {
    return Counter.builder("maas.gateway.connections.closed")
        .description("client connections the gateway closed to protect itself, by reason")
        .tags("server", server, "reason", reason)
        .register(meters);
  }

  /** Client connections open now. */
  public int open() {
    return open.get();
  }

  @Override
  public boolean accepted(Channel connection) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      overLimit.increment();
      LOG.debug("refusing a connection from {}: {} are open (gateway.max_connections)", connection.remoteAddress(),
          maxConnections);
      return false;
    }
    connection.closeFuture().addListener(f -> open.decrementAndGet());
    ConnectionGuard guard = new ConnectionGuard(headerTimeoutNanos, keepAliveIdleNanos,
        reason -> closedByGuard.get(reason).increment());
    connection.pipeline().addFirst("maasGuard", guard.front());
    return true;
  }
}
