package io.maas.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.maas.config.GatewayConfig;
import io.maas.config.MaasConfig;
import io.maas.config.ServerTls;
import io.maas.config.TenancyConfig;
import io.maas.gateway.RunningNode;
import io.maas.gateway.TestRepository;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpc;
import io.maas.gateway.grpc.v2.ServerLiveRequest;
import io.maas.node.MaasNode;
import io.maas.tls.CertificateAuthority;
import io.maas.tls.TestCertificates;
import io.maas.tls.TlsMaterial;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.http.ClientAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the gateway's client ports, through real clients: the JDK's HTTP client (HTTP/1.1 and HTTP/2 by ALPN),
 * grpc-java over TLS, raw TLS sockets. One node asks gRPC and admin clients for certificates (mutual TLS) and
 * follows its certificate files every second; the files are rewritten to show a reload.
 */
class ClientPortsTlsTest {
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  @TempDir
  static Path dir;
  private static TestCertificates certs;
  private static RunningNode node;

  @BeforeAll
  static void start() throws Exception {
    LOGS.start();
    ((Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
    certs = TestCertificates.write(dir.resolve("tls"), List.of());
    Path repository = dir.resolve("models");
    TestRepository.write(repository, "id", 1, OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 3));
    MaasConfig base = RunningNode.config(repository, "tls-" + UUID.randomUUID());
    ServerTls tls = new ServerTls(certs.server().toString(), certs.serverKey().toString(), certs.ca().toString(),
        ClientAuth.REQUIRED, ClientAuth.REQUIRED, 1);
    GatewayConfig gateway = base.gateway().withTls(tls)
        .withConnections(new GatewayConfig.ConnectionLimits(360, 10, 2, 1024, 100));
    node = new RunningNode(new MaasConfig(gateway, base.worker(), base.cluster(),
        new TenancyConfig(false, "127.0.0.1", 0, "", Files.createDirectories(dir.resolve("data"))), base.metrics()),
        MaasNode.Mode.STANDALONE);
    HttpClient client = https(null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (client.send(get(node.node.httpPort(), "/v2/health/ready"), HttpResponse.BodyHandlers.discarding())
        .statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "the TLS node is not ready within 60 s");
      Thread.onSpinWait();
      node.node.vertx().timer(50).await();
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    ((Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
  }

  @Test
  void restServesHttp1AndHttp2OverTlsWithTheConfiguredProtocolsAndSuites() throws Exception {
    for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
      HttpResponse<String> r = HttpClient.newBuilder().sslContext(context(null)).version(version).build()
          .send(get(node.node.httpPort(), "/v2"), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertEquals(version, r.version(), "ALPN chose " + r.version());
      assertTrue(r.body().contains("\"name\":\"maas\""), r.body());
      assertEquals("TLSv1.3", r.sslSession().orElseThrow().getProtocol());
    }
    try (SSLSocket tls12 = socket(node.node.httpPort(), null)) {
      tls12.setEnabledProtocols(new String[] {"TLSv1.2"});
      tls12.startHandshake();
      assertTrue(TlsMaterial.CIPHER_SUITES.contains(tls12.getSession().getCipherSuite()), tls12.getSession().getCipherSuite());
    }
    try (SSLSocket cbc = socket(node.node.httpPort(), null)) {
      cbc.setEnabledProtocols(new String[] {"TLSv1.2"});
      cbc.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
      assertThrows(SSLException.class, cbc::startHandshake, "a CBC suite is not among the ones served");
    }
  }

  @Test
  void aPlaintextClientIsClosedWithoutAnErrorLogged() throws Exception {
    int before = errors().size();
    HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.node.httpPort() + "/v2")).build(), HttpResponse.BodyHandlers.ofString()));
    try (Socket raw = new Socket("127.0.0.1", node.node.metricsPort())) {
      raw.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      raw.setSoTimeout(10_000);
      InputStream in = raw.getInputStream();
      while (in.read() >= 0) {
        // what a TLS server answers plaintext, if anything, up to the close
      }
    }
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", node.grpcPort(),
        InsecureChannelCredentials.create()).build();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> GRPCInferenceServiceGrpc
          .newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).serverLive(ServerLiveRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    } finally {
      channel.shutdownNow();
    }
    assertEquals(List.of(), errors().subList(before, errors().size()), "a plaintext client logs no ERROR");
  }

  @Test
  void grpcAndAdminTakeOnlyClientsWithACertificateFromTheClientCa() throws Exception {
    assertTrue(live(TlsChannelCredentials.newBuilder().trustManager(certs.ca().toFile())
        .keyManager(certs.client().toFile(), certs.clientKey().toFile()).build()));
    StatusRuntimeException none = assertThrows(StatusRuntimeException.class,
        () -> live(TlsChannelCredentials.newBuilder().trustManager(certs.ca().toFile()).build()));
    assertEquals(Status.Code.UNAVAILABLE, none.getStatus().getCode());
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    CertificateAuthority.create("another CA", Duration.ofDays(1)).issue("intruder", List.of(), Duration.ofDays(1))
        .write(other.resolve("c.pem"), other.resolve("k.pem"));
    StatusRuntimeException foreign = assertThrows(StatusRuntimeException.class,
        () -> live(TlsChannelCredentials.newBuilder().trustManager(certs.ca().toFile())
            .keyManager(other.resolve("c.pem").toFile(), other.resolve("k.pem").toFile()).build()));
    assertEquals(Status.Code.UNAVAILABLE, foreign.getStatus().getCode());

    HttpRequest metrics = get(node.node.metricsPort(), "/metrics");
    assertEquals(200, https(certs).send(metrics, HttpResponse.BodyHandlers.discarding()).statusCode());
    assertThrows(IOException.class, () -> https(null).send(metrics, HttpResponse.BodyHandlers.discarding()));
    // REST asks no client certificate
    assertEquals(200, https(null).send(get(node.node.httpPort(), "/v2/health/live"),
        HttpResponse.BodyHandlers.discarding()).statusCode());
  }

  @Test
  void anIdleKeptAliveHttp1ConnectionIsClosedOverTlsToo() throws Exception {
    try (SSLSocket socket = socket(node.node.httpPort(), null)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      long start = System.nanoTime();
      StringBuilder seen = new StringBuilder();
      for (int b = in.read(); b >= 0; b = in.read()) {
        seen.append((char) b);
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
      // keep-alive idle (2 s), not the header timeout (10 s) armed at the accept: the guard saw the request go by,
      // so it also lets a busy kept-alive connection live past 10 s
      assertTrue(seconds >= 1 && seconds < 6, "closed after " + seconds + " s; gateway.keepalive_idle_s is 2, "
          + "gateway.header_timeout_s 10");
    }
  }

  @Test
  void changedFilesServeNewConnectionsKeepOpenOnesAndBadOnesKeepTheOldCertificate() throws Exception {
    // a request in progress on a connection opened before the change: its body is half sent
    String body = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
    SSLSocket open = socket(node.node.httpPort(), null);
    open.setSoTimeout(20_000);
    open.startHandshake();
    BigInteger first = ((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber();
    OutputStream out = open.getOutputStream();
    out.write(("POST /v2/models/id/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\nConnection: close\r\n\r\n" + body.substring(0, 20)).getBytes(StandardCharsets.US_ASCII));
    out.flush();
    assertEquals(first, served(https(null)));

    // a certificate that is not the key's: logged once it stays so, and the served one stays
    Path backup = dir.resolve("server.pem.bak");
    Files.copy(certs.server(), backup);
    Files.copy(certs.client(), certs.server(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (errors().stream().noneMatch(m -> m.contains("gateway.tls files changed but cannot be served"))) {
      assertTrue(System.nanoTime() < deadline, "no error logged for a certificate that is not the key's");
      node.node.vertx().timer(100).await();
    }
    String error = errors().stream().filter(m -> m.contains("cannot be served")).findFirst().orElseThrow();
    assertTrue(error.contains("is not the private key of the certificate in gateway.tls.cert_file (" + certs.server()),
        error);
    assertEquals(first, served(https(null)), "new connections still get the certificate served before");
    assertTrue(scrape().contains("maas_gateway_tls_reloads_total{outcome=\"refused\"} 1.0"), scrape());

    // a good new certificate from the same CA: new connections get it, the open connection stays as it was
    CertificateAuthority.Issued next = reissue();
    next.write(certs.server(), certs.serverKey());
    BigInteger expected = next.certificate().getSerialNumber();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!served(https(null)).equals(expected)) {
      assertTrue(System.nanoTime() < deadline, "the new certificate is not served within 30 s");
      node.node.vertx().timer(100).await();
    }
    assertNotEquals(first, expected);
    String metrics = scrape();
    assertTrue(metrics.contains("maas_gateway_tls_reloads_total{outcome=\"renewed\"} 1.0"), metrics);
    double expiry = metrics.lines().filter(l -> l.startsWith("maas_gateway_tls_certificate_expiry_seconds "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElseThrow();
    assertEquals(next.certificate().getNotAfter().getTime() / 1000.0, expiry, 1.0);

    out.write(body.substring(20).getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String answer = new String(open.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertTrue(answer.startsWith("HTTP/1.1 200"), "the request open across the change is answered: " + answer);
    assertTrue(answer.contains("\"data\":[1.0,2.0,3.0]"), answer);
    assertEquals(first, ((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber());
    open.close();
  }

  @Test
  void expiredOrUnreadableFilesAtStartStopTheStartNamingTheFile() throws Exception {
    Path expired = Files.createDirectories(dir.resolve("expired"));
    CertificateAuthority.read(certs.ca(), certs.caKey()).issue("old", TestCertificates.LOCAL_NAMES,
        Instant.now().minus(Duration.ofDays(9)), Instant.now().minus(Duration.ofDays(2)))
        .write(expired.resolve("c.pem"), expired.resolve("k.pem"));
    MaasConfig base = RunningNode.config(dir.resolve("models"), "tls-refused-" + UUID.randomUUID());
    for (ServerTls bad : List.of(ServerTls.of(expired.resolve("c.pem").toString(), expired.resolve("k.pem").toString()),
        ServerTls.of(dir.resolve("missing.pem").toString(), certs.serverKey().toString()))) {
      MaasConfig config = new MaasConfig(base.gateway().withTls(bad), base.worker(), base.cluster());
      Throwable refusal = assertThrows(Exception.class, () -> MaasNode.start(config, MaasNode.Mode.STANDALONE).await());
      assertTrue(refusal instanceof IllegalArgumentException, refusal.toString());
      assertTrue(refusal.getMessage().startsWith("gateway.tls.cert_file (" + bad.certFile() + ")"), refusal.getMessage());
    }
  }

  /** A new server certificate from the test CA, whose key TestCertificates kept. */
  private static CertificateAuthority.Issued reissue() {
    return CertificateAuthority.read(certs.ca(), certs.caKey()).issue("maas server, renewed", TestCertificates.LOCAL_NAMES,
        Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(2)));
  }

  private static BigInteger served(HttpClient client) throws Exception {
    HttpResponse<Void> r = client.send(get(node.node.httpPort(), "/v2/health/live"), HttpResponse.BodyHandlers.discarding());
    assertEquals(200, r.statusCode());
    return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
  }

  private static String scrape() throws Exception {
    return https(certs).send(get(node.node.metricsPort(), "/metrics"), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static boolean live(ChannelCredentials credentials) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", node.grpcPort(), credentials).build();
    try {
      return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
          .serverLive(ServerLiveRequest.getDefaultInstance()).getLive();
    } finally {
      channel.shutdownNow();
    }
  }

  private static List<String> errors() {
    return LOGS.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
  }

  private static HttpRequest get(int port, String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).timeout(Duration.ofSeconds(20)).build();
  }

  /** A client trusting the test CA; with {@code identity}, presenting its client certificate. */
  private static HttpClient https(TestCertificates identity) throws Exception {
    return HttpClient.newBuilder().sslContext(context(identity)).version(HttpClient.Version.HTTP_1_1).build();
  }

  private static SSLSocket socket(int port, TestCertificates identity) throws Exception {
    return (SSLSocket) context(identity).getSocketFactory().createSocket("localhost", port);
  }

  private static SSLContext context(TestCertificates identity) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certs.ca())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    KeyManagerFactory keys = null;
    if (identity != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      CertificateAuthority.Issued client = CertificateAuthority.Issued.read(identity.client(), identity.clientKey());
      store.setKeyEntry("client", client.keys().getPrivate(), new char[0],
          new java.security.cert.Certificate[] {client.certificate()});
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, new char[0]);
    }
    context.init(keys == null ? null : keys.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }
}
