package io.maas.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.io.IOException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** A peer's connection reset is not an ERROR line; every other line of the class, and of other classes, is kept. */
class PeerResetsTest {
  private final LoggerContext context = new LoggerContext();
  private final PeerResets filter = new PeerResets();

  @Test
  void dropsOnlyVertxConnectionResetsAtError() {
    var connection = context.getLogger(PeerResets.CONNECTION_BASE);
    assertEquals(FilterReply.DENY, filter.decide(null, connection, Level.ERROR, "Connection reset", null, null));
    assertEquals(FilterReply.DENY, filter.decide(null, connection, Level.ERROR, "boom", null,
        new SocketException("Connection reset")));
    assertEquals(FilterReply.DENY, filter.decide(null, connection, Level.ERROR, null, null,
        new IOException("Connection reset by peer")));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, connection, Level.ERROR, "Broken pipe", null,
        new IOException("Broken pipe")));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, connection, Level.ERROR, "Unhandled exception", null,
        new IllegalStateException("Connection reset")));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, connection, Level.WARN, "Connection reset", null, null));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, context.getLogger("io.maas.gateway.X"), Level.ERROR,
        "Connection reset", null, null));
  }
}
