package io.maas.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.ClusterConfig;
import io.maas.config.ClusterTls;
import io.maas.tls.HandshakeFailures;
import io.maas.tls.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventBusSettingsTest {
  @TempDir
  Path dir;

  private static ClusterConfig cluster(ClusterTls tls) {
    return new ClusterConfig("t", "127.0.0.1", 5701, List.of("127.0.0.1"), "").withTls(tls);
  }

  private ClusterTls memberTls(TestCertificates files) {
    return new ClusterTls(files.member().toString(), files.memberKey().toString(), files.clusterCa().toString());
  }

  @Test
  void withoutTlsTheBusIsPlaintextOnAFreePort() {
    EventBusOptions bus = EventBusSettings.of(cluster(ClusterTls.OFF), "127.0.0.1");
    assertFalse(bus.isSsl());
    assertEquals("127.0.0.1", bus.getHost());
    assertEquals(0, bus.getPort());
    assertEquals(-1, bus.getClusterPublicPort());
  }

  @Test
  void aFixedBusPortAndItsPublicPortAreUsed() {
    ClusterConfig c = new ClusterConfig("t", "127.0.0.1", 5701, List.of(), "", 1, 10, 5, 0, 29201, 29202,
        ClusterTls.OFF);
    EventBusOptions bus = EventBusSettings.of(c, "127.0.0.1");
    assertEquals(29201, bus.getPort());
    assertEquals(29202, bus.getClusterPublicPort());
  }

  @Test
  void aPublicBusPortNeedsAFixedOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ClusterConfig("t", "127.0.0.1", 5701, List.of(), "", 1, 10, 5, 0, 0, 29202, ClusterTls.OFF));
    assertTrue(e.getMessage().contains("cluster.bus_port"), e.getMessage());
  }

  @Test
  void withTlsTheServerRequiresAClientCertificateFromTheCaOverTls12Or13() {
    TestCertificates files = TestCertificates.write(dir, List.of());
    EventBusOptions bus = EventBusSettings.of(cluster(memberTls(files)), "127.0.0.1");
    assertTrue(bus.isSsl());
    assertEquals(ClientAuth.REQUIRED, bus.getClientAuth());
    assertEquals(Set.of("TLSv1.2", "TLSv1.3"), bus.getEnabledSecureTransportProtocols());
    NetServerOptions server = new NetServerOptions(bus.toJson());
    assertTrue(server.isSsl());
    assertEquals(ClientAuth.REQUIRED, server.getClientAuth());
  }

  /**
   * Vert.x's clustered event bus makes its client with {@code new NetClientOptions(eventBusOptions.toJson())}: the
   * certificate, key and CA must survive that copy as values, or the client would present no certificate (and the
   * servers refuse it) or trust no CA.
   */
  @Test
  void theBusClientBuiltFromTheOptionsJsonPresentsTheMemberCertificateAndTrustsOnlyTheCa() throws Exception {
    TestCertificates files = TestCertificates.write(dir, List.of());
    EventBusOptions bus = EventBusSettings.of(cluster(memberTls(files)), "127.0.0.1");

    NetClientOptions client = new NetClientOptions(bus.toJson()).setHostnameVerificationAlgorithm("");

    assertTrue(client.isSsl());
    assertFalse(client.isTrustAll(), "the bus's default trusts every server");
    PemKeyCertOptions keyCert = assertInstanceOf(PemKeyCertOptions.class, client.getKeyCertOptions());
    assertEquals(Files.readString(files.member()), keyCert.getCertValues().get(0).toString());
    assertEquals(Files.readString(files.memberKey()), keyCert.getKeyValues().get(0).toString());
    assertTrue(keyCert.getCertPaths().isEmpty(), "values, not paths: " + keyCert.getCertPaths());
    PemTrustOptions trust = assertInstanceOf(PemTrustOptions.class, client.getTrustOptions());
    assertEquals(List.of(Files.readString(files.clusterCa())), trust.getCertValues().stream().map(Object::toString).toList());
    assertEquals(Set.of("TLSv1.2", "TLSv1.3"), client.getEnabledSecureTransportProtocols());
  }

  /**
   * The bus's client as Vert.x makes it, against a server that asks for no client certificate and presents one from
   * another CA (a process posing as a member to be sent the cluster's messages): the handshake fails, nothing is
   * written. Against a server of the cluster's own CA, it connects.
   */
  @Test
  void theBusClientTrustsOnlyServersWithACertificateFromTheClusterCa() throws Exception {
    TestCertificates files = TestCertificates.write(dir.resolve("cluster"), List.of());
    TestCertificates other = TestCertificates.write(dir.resolve("other"), List.of());
    Vertx vertx = Vertx.vertx();
    try {
      NetClient client = vertx.createNetClient(new NetClientOptions(EventBusSettings.of(cluster(memberTls(files)),
          "127.0.0.1").toJson()).setHostnameVerificationAlgorithm(""));
      AtomicInteger received = new AtomicInteger();
      for (TestCertificates server : List.of(other, files)) {
        NetServer poser = vertx.createNetServer(new NetServerOptions(EventBusSettings.of(cluster(memberTls(server)),
            "127.0.0.1").toJson()).setClientAuth(ClientAuth.NONE));
        poser.connectHandler(socket -> socket.handler(bytes -> received.incrementAndGet()));
        poser.listen(0, "127.0.0.1").await();
        Throwable failure = client.connect(poser.actualPort(), "127.0.0.1").map(s -> (Throwable) null)
            .otherwise(e -> e).await();
        if (server == other) {
          assertInstanceOf(SSLHandshakeException.class, failure);
          assertTrue(HandshakeFailures.isHandshakeFailure(failure));
        } else {
          assertEquals(null, failure);
        }
        poser.close().await();
      }
      assertEquals(0, received.get());
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aMissingOrMismatchedFileRefusesTheStartNamingTheSettingAndTheFile() throws Exception {
    TestCertificates files = TestCertificates.write(dir, List.of());
    Path missing = dir.resolve("gone.pem");
    IllegalArgumentException noCert = assertThrows(IllegalArgumentException.class, () -> EventBusSettings.of(
        cluster(new ClusterTls(missing.toString(), files.memberKey().toString(), files.clusterCa().toString())), "127.0.0.1"));
    assertTrue(noCert.getMessage().startsWith("cluster.tls.cert_file (" + missing + ") cannot be read"),
        noCert.getMessage());
    IllegalArgumentException wrongKey = assertThrows(IllegalArgumentException.class, () -> EventBusSettings.of(
        cluster(new ClusterTls(files.member().toString(), files.clientKey().toString(), files.clusterCa().toString())),
        "127.0.0.1"));
    assertTrue(wrongKey.getMessage().startsWith("cluster.tls.key_file (" + files.clientKey() + ")"),
        wrongKey.getMessage());
    Path garbage = Files.writeString(dir.resolve("ca-garbage.pem"), "no CA here");
    IllegalArgumentException badCa = assertThrows(IllegalArgumentException.class, () -> EventBusSettings.of(
        cluster(new ClusterTls(files.member().toString(), files.memberKey().toString(), garbage.toString())),
        "127.0.0.1"));
    assertTrue(badCa.getMessage().startsWith("cluster.tls.ca_file (" + garbage + ")"), badCa.getMessage());
  }
}
