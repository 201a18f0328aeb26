package io.maas.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.maas.config.ClusterConfig;
import io.maas.config.ClusterTls;
import io.maas.tls.HandshakeFailures;
import io.maas.tls.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Mutual TLS on a real clustered event bus, four Hazelcast members in this JVM: two with member certificates from
 * the cluster's CA talk; one with a certificate from another CA and one without TLS join Hazelcast (its open-source
 * edition cannot refuse them) but can neither deliver a message to the others nor receive one. Their failed
 * handshakes are one WARN per peer, no stack trace per message.
 */
class EventBusTlsTest {
  private static final int HAZELCAST_PORT = 29210;
  private static final DeliveryOptions SHORT = new DeliveryOptions().setSendTimeout(2000);

  @TempDir
  Path dir;

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final ListAppender<ILoggingEvent> reports = new ListAppender<>();
  private final ListAppender<ILoggingEvent> vertxBus = new ListAppender<>();

  @BeforeEach
  void capture() {
    reports.start();
    vertxBus.start();
    ((Logger) LoggerFactory.getLogger(HandshakeFailures.class)).addAppender(reports);
    ((Logger) LoggerFactory.getLogger("io.vertx.core.eventbus.impl.clustered")).addAppender(vertxBus);
  }

  @AfterEach
  void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).vertx().close().await();
    }
    ((Logger) LoggerFactory.getLogger(HandshakeFailures.class)).detachAppender(reports);
    ((Logger) LoggerFactory.getLogger("io.vertx.core.eventbus.impl.clustered")).detachAppender(vertxBus);
  }

  @Test
  void onlyMembersWithACertificateFromTheClusterCaExchangeMessages() {
    TestCertificates cluster = TestCertificates.write(dir.resolve("cluster"), List.of());
    TestCertificates other = TestCertificates.write(dir.resolve("other"), List.of());
    String name = "bustls-" + UUID.randomUUID().toString().substring(0, 8);
    ClusterNode a = start(name, tls(cluster));
    ClusterNode b = start(name, tls(cluster));
    ClusterNode wrongCa = start(name, tls(other));
    ClusterNode plaintext = start(name, ClusterTls.OFF);
    assertEquals(4, a.hazelcast().getCluster().getMembers().size(), "all four are Hazelcast members");

    AtomicInteger reachedA = new AtomicInteger();
    a.vertx().eventBus().<String>consumer("echo.a", m -> {
      reachedA.incrementAndGet();
      m.reply("a:" + m.body());
    }).completion().await();
    AtomicInteger reachedOutsiders = new AtomicInteger();
    for (ClusterNode outsider : List.of(wrongCa, plaintext)) {
      String address = outsider == wrongCa ? "echo.wrong-ca" : "echo.plaintext";
      outsider.vertx().eventBus().<String>consumer(address, m -> reachedOutsiders.incrementAndGet()).completion().await();
    }

    // a trusted member is served (subscriptions take a moment to spread: retried until then)
    assertEquals("a:hello", awaitReply(b, "echo.a", "hello"));
    int trusted = reachedA.get();

    // an outsider's requests reach nobody, whatever it sends; they end in its own timeout, not a hang
    for (ClusterNode outsider : List.of(wrongCa, plaintext)) {
      for (int i = 0; i < 3; i++) {
        Throwable failure = outsider.vertx().eventBus().request("echo.a", "let me in", SHORT)
            .map(r -> (Throwable) null).otherwise(e -> e).await();
        ReplyException reply = assertInstanceOf(ReplyException.class, failure);
        assertEquals(ReplyFailure.TIMEOUT, reply.failureType(), reply.getMessage());
      }
    }
    assertEquals(trusted, reachedA.get(), "a message from an outsider reached a trusted member");

    // and trusted members' messages never reach an outsider
    for (String address : List.of("echo.wrong-ca", "echo.plaintext")) {
      for (int i = 0; i < 3; i++) {
        b.vertx().eventBus().send(address, "for you");
        a.vertx().eventBus().publish(address, "for all");
      }
    }
    awaitReports(3);
    assertEquals(0, reachedOutsiders.get(), "a trusted member's message reached an outsider");

    // one WARN per peer, no stack trace per message
    List<String> lines = reports.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertTrue(lines.stream().allMatch(l -> l.startsWith("event bus: ")), String.join("\n", lines));
    assertTrue(lines.stream().anyMatch(l -> l.contains("no TLS connection to cluster member " + wrongCa.nodeId())
        && l.contains("its certificate is not from this cluster's CA")), String.join("\n", lines));
    assertTrue(lines.stream().anyMatch(l -> l.contains("a connection from 127.0.0.1")), String.join("\n", lines));
    assertTrue(lines.size() <= 12, "at most one report per peer and direction on each member: " + String.join("\n", lines));
    assertTrue(vertxBus.list.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
        && e.getFormattedMessage().startsWith("Connecting to server")),
        "Vert.x's own connect failure lines are replaced: " + vertxBus.list);
  }

  private ClusterTls tls(TestCertificates files) {
    return new ClusterTls(files.member().toString(), files.memberKey().toString(), files.clusterCa().toString());
  }

  private ClusterNode start(String name, ClusterTls tls) {
    ClusterConfig config = new ClusterConfig(name, "127.0.0.1", HAZELCAST_PORT, List.of("127.0.0.1"), "").withTls(tls);
    ClusterNode node = ClusteredVertx.start(config).await();
    nodes.add(node);
    return node;
  }

  private static String awaitReply(ClusterNode from, String address, String body) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      Future<String> reply = from.vertx().eventBus().<String>request(address, body, SHORT).map(m -> m.body());
      try {
        return reply.await();
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no reply from " + address + " within 20 s", e);
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
    }
  }

  private void awaitReports(int atLeast) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (reports.list.size() < atLeast && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}
