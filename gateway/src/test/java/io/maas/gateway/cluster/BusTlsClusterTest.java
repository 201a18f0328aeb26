package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.tls.CertificateAuthority;
import io.maas.tls.TestCertificates;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mutual TLS on the event bus with real processes on 127.0.0.1 ({@code cluster.tls.*}, member certificates as
 * {@code maas-gateway.jar certs} writes them). Hazelcast's open-source edition has no TLS, so a process without a
 * certificate from the cluster's CA still joins Hazelcast; what keeps it out is the bus: a worker's announcements
 * travel on it, so a worker the gateways cannot talk to TLS with is never routed to, and a gateway that cannot talk
 * to the workers never hears of one. The good members log one WARN per peer, no stack trace.
 */
@Tag("cluster")
class BusTlsClusterTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  /** What a member reports, once, about a gateway whose certificate is of another CA. */
  private static final Pattern NOT_FROM_THE_CA = Pattern.compile("WARN .*event bus: no TLS connection to cluster "
      + "member \\S+ \\(a gateway, Hazelcast \\[127\\.0\\.0\\.1\\]:\\d+\\): its certificate is not from this cluster's CA");

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  /** The {@code --set} values that put a process in the cluster of these certificates. */
  static String[] tls(TestCertificates certs) {
    return new String[] {"cluster.tls.cert_file=" + certs.member(), "cluster.tls.key_file=" + certs.memberKey(),
        "cluster.tls.ca_file=" + certs.clusterCa()};
  }

  static WorkerOptions withTls(WorkerOptions options, TestCertificates certs) {
    for (String set : tls(certs)) {
      options.set(set);
    }
    return options;
  }

  private TestCertificates certs(String name) {
    return TestCertificates.write(cluster.dir().resolve(name), List.of());
  }

  @Test
  void aTlsClusterServesInferenceAndWorkersWithoutACertificateFromItsCaNeverGetWork() {
    TestCertificates ca = certs("certs");
    TestCertificates other = certs("other-certs");
    GatewayProcess gateway = cluster.startGateway("gateway", tls(ca));
    WorkerProcess good = cluster.startWorker("worker-tls", withTls(WorkerOptions.sim(5, 0), ca));
    WorkerProcess wrongCa = cluster.startWorker("worker-other-ca", withTls(WorkerOptions.sim(5, 0), other));
    WorkerProcess plaintext = cluster.startWorker("worker-plaintext", WorkerOptions.sim(5, 0));
    gateway.awaitLive(START);
    String goodId = good.awaitId(START);
    // the outsiders joined Hazelcast (a worker listens only once a gateway is in its cluster) and announce
    String wrongCaId = wrongCa.awaitId(START);
    String plaintextId = plaintext.awaitId(START);
    Traffic.awaitServedBy(gateway, List.of(goodId), START);

    LoadResult load = LoadGenerator.start(gateway.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, 4, 200,
        Duration.ofSeconds(60)).awaitDone();

    assertEquals(200, load.total(), load.toString());
    assertEquals(0, load.failures(), load.toString());
    assertEquals(Set.of(goodId), load.servedBy().keySet(), load.toString());
    String gatewayLog = gateway.jvm.logText();
    assertFalse(gatewayLog.contains(wrongCaId), "the gateway heard from the worker of another CA");
    assertFalse(gatewayLog.contains(plaintextId), "the gateway heard from the plaintext worker");
    // the outsiders' announcements were refused at the handshake, and the gateway said so, once per peer host
    gateway.jvm.awaitLog(Pattern.compile("WARN .*event bus: a connection from 127\\.0\\.0\\.1:\\d+ failed its TLS "
        + "handshake: "), Duration.ofSeconds(10));
    wrongCa.jvm.awaitLog(NOT_FROM_THE_CA, Duration.ofSeconds(10));
    assertFalse(gateway.jvm.logText().contains("6d6161732e"), "what the plaintext worker sent (\"maas.\" in hex) "
        + "is in the gateway's log");
    assertQuiet(gateway.jvm);
    assertQuiet(good.jvm);
  }

  @Test
  void aGatewayWithACertificateFromAnotherCaGetsNoRequestServedAndAnswersAnErrorAtOnce() {
    TestCertificates ca = certs("certs");
    TestCertificates other = certs("other-certs");
    GatewayProcess gateway = cluster.startGateway("gateway", tls(ca));
    WorkerProcess worker = cluster.startWorker("worker", withTls(WorkerOptions.sim(5, 0), ca));
    GatewayProcess rogue = cluster.startGateway("gateway-other-ca", tls(other));
    gateway.awaitLive(START);
    rogue.awaitLive(START);
    String id = worker.awaitId(START);
    Traffic.awaitServedBy(gateway, List.of(id), START);
    // the worker announces every 250 ms to every gateway, the rogue one included: it says once that it cannot
    worker.jvm.awaitLog(NOT_FROM_THE_CA, Duration.ofSeconds(15));

    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    int asked = 0;
    while (System.nanoTime() < until || asked < 5) {
      long sent = System.nanoTime();
      HttpResponse<String> r = rogue.post(Traffic.SIMPLE, Traffic.SIMPLE_BODY);
      long tookMs = (System.nanoTime() - sent) / 1_000_000;
      assertNotEquals(200, r.statusCode(), "the rogue gateway got a request served: " + r.body());
      assertTrue(r.body().contains("\"error\""), r.body());
      assertTrue(tookMs < 5_000, "the rogue gateway took " + tookMs + " ms to answer " + r.statusCode());
      asked++;
    }
    assertFalse(rogue.jvm.logText().contains(id), "the rogue gateway heard of the worker");
    assertEquals(200, gateway.post(Traffic.SIMPLE, Traffic.SIMPLE_BODY).statusCode(), "the cluster still serves");
    assertQuiet(gateway.jvm);
    assertQuiet(worker.jvm);
  }

  @Test
  void badCertificateFilesStopEveryKindOfProcessWithAMessageNamingTheFile() throws Exception {
    TestCertificates ca = certs("certs");
    Path missing = cluster.dir().resolve("certs/no-such-member.pem");
    Path garbage = Files.writeString(cluster.dir().resolve("certs/garbage-ca.pem"), "not a certificate");
    CertificateAuthority.create("expiring CA", Duration.ofDays(30)).issue("old member", List.of(),
        Instant.now().minus(Duration.ofDays(2)), Instant.now().minus(Duration.ofDays(1)))
        .write(cluster.dir().resolve("certs/old.pem"), cluster.dir().resolve("certs/old-key.pem"));
    ChildJvm gateway = cluster.startGateway("gateway", "cluster.tls.cert_file=" + missing,
        "cluster.tls.key_file=" + ca.memberKey(), "cluster.tls.ca_file=" + ca.clusterCa()).jvm;
    ChildJvm worker = cluster.startWorker("worker", WorkerOptions.sim(5, 0).set("cluster.tls.cert_file=" + ca.member())
        .set("cluster.tls.key_file=" + ca.clientKey()).set("cluster.tls.ca_file=" + ca.clusterCa())).jvm;
    ChildJvm standalone = cluster.start("standalone", "standalone", "--http-port", "0", "--set",
        "gateway.admin_port=0", "--set", "gateway.auth_enabled=false", "--set", "cluster.tls.cert_file=" + ca.member(),
        "--set", "cluster.tls.key_file=" + ca.memberKey(), "--set", "cluster.tls.ca_file=" + garbage);
    ChildJvm expired = cluster.startWorker("worker-expired", WorkerOptions.sim(5, 0)
        .set("cluster.tls.cert_file=" + cluster.dir().resolve("certs/old.pem"))
        .set("cluster.tls.key_file=" + cluster.dir().resolve("certs/old-key.pem"))
        .set("cluster.tls.ca_file=" + ca.clusterCa())).jvm;

    assertRefused(gateway, "cluster.tls.cert_file (" + missing + ") cannot be read");
    assertRefused(worker, "cluster.tls.key_file (" + ca.clientKey() + ") is not the private key of the certificate in "
        + "cluster.tls.cert_file (" + ca.member() + ", CN=maas member)");
    assertRefused(standalone, "cluster.tls.ca_file (" + garbage + ")");
    assertRefused(expired, "cluster.tls.cert_file (" + cluster.dir().resolve("certs/old.pem")
        + "): the certificate CN=old member expired on");
  }

  private static void assertRefused(ChildJvm process, String message) {
    assertTrue(process.awaitExit(Duration.ofSeconds(60)), process.name() + " still runs");
    assertNotEquals(0, process.exitValue().orElseThrow(), process.name() + " exited 0");
    String log = process.logText();
    assertTrue(log.contains(message), process.name() + " did not say '" + message + "':\n" + process.tail(20));
    assertFalse(log.lines().anyMatch(l -> l.startsWith("\tat ")), process.name() + " logged a stack trace");
  }

  /** No ERROR line and no stack trace in a good member's log. */
  private static void assertQuiet(ChildJvm process) {
    List<String> bad = process.logText().lines()
        .filter(l -> l.startsWith("\tat ") || l.matches("^\\S+ ERROR .*") || l.contains("Connecting to server"))
        .toList();
    assertTrue(bad.isEmpty(), process.name() + " logged errors or stack traces:\n" + String.join("\n", bad));
  }
}
