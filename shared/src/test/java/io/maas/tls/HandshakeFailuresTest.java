package io.maas.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class HandshakeFailuresTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("t");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final AtomicLong now = new AtomicLong(1_000);
  private final HandshakeFailures failures = new HandshakeFailures(logger, now::get);

  HandshakeFailuresTest() {
    lines.start();
    logger.addAppender(lines);
  }

  private static SSLHandshakeException handshake(String message, Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException(message);
    e.initCause(cause);
    return e;
  }

  @Test
  void eachPeerIsReportedOnceThenAtMostEveryTenMinutesWithTheCountBetween() {
    Throwable wrongCa = handshake("Failed to create SSL connection",
        handshake("PKIX path validation failed", new CertPathValidatorException("Path does not chain")));
    for (int i = 0; i < 50; i++) {
      failures.outbound("node-1", "node-1 (a worker)", wrongCa);
      failures.inbound("10.0.0.7", "10.0.0.7:4" + i,
          new DecoderException(new NotSslRecordException("not an SSL/TLS record")));
    }
    failures.outbound("node-2", "node-2", wrongCa);
    assertEquals(3, lines.list.size(), lines.list.toString());
    assertTrue(lines.list.stream().allMatch(e -> e.getLevel() == Level.WARN && e.getThrowableProxy() == null));
    assertEquals("event bus: no TLS connection to cluster member node-1 (a worker): its certificate is not from this "
        + "cluster's CA (cluster.tls.ca_file) [CertPathValidatorException: Path does not chain]; it gets no messages "
        + "from this member; further failures with this peer are reported at most every 10 minutes",
        lines.list.get(0).getFormattedMessage());
    assertTrue(lines.list.get(1).getFormattedMessage().startsWith("event bus: a connection from 10.0.0.7:40 failed its "
        + "TLS handshake: it does not speak TLS"), lines.list.get(1).getFormattedMessage());

    now.addAndGet(HandshakeFailures.REPEAT.toNanos() - 1);
    failures.outbound("node-1", "node-1", wrongCa);
    assertEquals(3, lines.list.size());
    now.addAndGet(1);
    failures.outbound("node-1", "node-1", wrongCa);
    assertEquals(4, lines.list.size());
    assertTrue(lines.list.get(3).getFormattedMessage().contains("(50 more failed since the last report)"),
        lines.list.get(3).getFormattedMessage());
  }

  @Test
  void reasonsNameWhatToCheck() {
    assertTrue(HandshakeFailures.reason(handshake("Received fatal alert: bad_certificate", null))
        .startsWith("it refused this member's certificate (bad_certificate)"));
    assertTrue(HandshakeFailures.reason(new SslHandshakeTimeoutException("handshake timed out after 10000ms"))
        .startsWith("the TLS handshake did not complete in time"));
    assertTrue(HandshakeFailures.reason(handshake("Empty client certificate chain", null))
        .startsWith("it presented no certificate"));
    assertTrue(HandshakeFailures.reason(handshake("Failed to create SSL connection", new ClosedChannelException()))
        .startsWith("it closed the connection during the TLS handshake"));
  }

  @Test
  void whatAPlaintextPeerSentStaysOutOfTheLog() {
    String reason = HandshakeFailures.reason(new DecoderException(new NotSslRecordException(
        "not an SSL/TLS record: 00000619020d01000000166d6161732e72656769737472792e616e6e6f756e6365")));
    assertEquals("it does not speak TLS (a member without cluster.tls.* settings?) [NotSslRecordException: not an "
        + "SSL/TLS record]", reason);
    assertTrue(HandshakeFailures.reason(handshake("x".repeat(5000), null)).length() < 300);
  }

  @Test
  void onlyTlsHandshakeFailuresAreHandshakeFailures() {
    assertTrue(HandshakeFailures.isHandshakeFailure(new DecoderException(new NotSslRecordException("x"))));
    assertTrue(HandshakeFailures.isHandshakeFailure(handshake("Received fatal alert: certificate_unknown", null)));
    assertFalse(HandshakeFailures.isHandshakeFailure(new ConnectException("Connection refused")));
    assertFalse(HandshakeFailures.isHandshakeFailure(new IOException("Connection reset by peer")));
    assertFalse(HandshakeFailures.isHandshakeFailure(null));
    assertFalse(HandshakeFailures.isHandshakeFailure(handshake("Connection closed while SSL/TLS handshake was in "
        + "progress", null)), "a port probe that connects and closes");
  }
}
