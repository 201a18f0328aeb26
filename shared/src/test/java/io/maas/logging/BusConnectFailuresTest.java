package io.maas.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import io.maas.tls.HandshakeFailures;
import io.vertx.core.VertxException;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Vert.x's per-message WARN for a bus connection refused over TLS is replaced; its other lines are kept. */
class BusConnectFailuresTest {
  private final LoggerContext context = new LoggerContext();
  private final BusConnectFailures filter = new BusConnectFailures(new HandshakeFailures());

  @Test
  void dropsOnlyTlsConnectFailuresOfTheClusteredEventBus() {
    var bus = context.getLogger(BusConnectFailures.CLUSTERED_EVENT_BUS);
    SSLHandshakeException tls = new SSLHandshakeException("Received fatal alert: certificate_unknown");
    assertEquals(FilterReply.DENY, filter.decide(null, bus, Level.WARN, "Connecting to server 1234-abcd failed", null,
        tls));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, bus, Level.WARN, "Connecting to server 1234-abcd failed",
        null, new ConnectException("Connection refused")), "a member that died is still Vert.x's to report");
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, bus, Level.WARN, "No pong from server x - will consider it "
        + "dead", null, tls));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, bus, Level.ERROR, "Failed to send message", null,
        new VertxException(tls)));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, context.getLogger("io.maas.X"), Level.WARN,
        "Connecting to server 1234-abcd failed", null, tls));
  }
}
