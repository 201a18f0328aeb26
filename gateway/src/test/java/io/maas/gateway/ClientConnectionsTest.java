package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.GatewayConfig;
import io.maas.config.MaasConfig;
import io.maas.gateway.cluster.Poll;
import io.maas.node.MaasNode;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle, slow and too many clients are cut off, on a real node over real sockets, with short limits: a request
 * head must be complete 1 s after the connection (or its first byte), a connection with no request in progress
 * stays 2 s, one with nothing read or written at all 4 s, and each port holds 6 connections at most.
 */
class ClientConnectionsTest {
  private static final int HEADER_S = 1;
  private static final int KEEPALIVE_S = 2;
  private static final int IDLE_S = 4;
  private static final int MAX_CONNECTIONS = 6;
  private static final int MAX_STREAMS = 4;
  private static final GatewayConfig.ConnectionLimits LIMITS =
      new GatewayConfig.ConnectionLimits(IDLE_S, HEADER_S, KEEPALIVE_S, MAX_CONNECTIONS, MAX_STREAMS);
  private static final String HEALTH = "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n";
  /** Generous for a loaded 2-core machine: what "at once" and "within the timeout" may take at most. */
  private static final Duration SLACK = Duration.ofSeconds(6);

  @TempDir
  static Path repo;
  static RunningNode node;

  @BeforeAll
  static void start() throws Exception {
    MaasConfig c = RunningNode.config(TestRepository.create(repo), "maas-conn-" + UUID.randomUUID());
    node = new RunningNode(new MaasConfig(c.gateway().withConnections(LIMITS), c.worker(), c.cluster()),
        MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Each test starts with no client connection left from the one before. */
  @BeforeEach
  void noConnectionsLeft() {
    Poll.until(Duration.ofSeconds(20), "the REST port's connections from earlier tests closed",
        () -> node.gateway().restConnections() == 0);
  }

  private static Socket connect() throws IOException {
    return connect(node.uri("/").getPort());
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(100);
    return s;
  }

  private static double closed(String server, String reason) {
    Counter c = node.node.metrics().registry().find("maas.gateway.connections.closed")
        .tags("server", server, "reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  /** Sends a request and reads its (small) answer. */
  private static String exchange(Socket s, String request) throws IOException {
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    byte[] buf = new byte[4096];
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    StringBuilder out = new StringBuilder();
    while (System.nanoTime() < deadline && !out.toString().contains("\r\n\r\n")) {
      try {
        int n = s.getInputStream().read(buf);
        if (n < 0) {
          break;
        }
        out.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
      } catch (SocketTimeoutException e) {
        // poll on
      }
    }
    return out.toString();
  }

  /** What the server did within the timeout: closed the connection (with what it sent first), or nothing. */
  private record Outcome(boolean closed, String received, Duration after) {}

  /** Reads until the server closes the connection or the timeout passes; runs `meanwhile` at each poll. */
  private static Outcome watch(Socket s, Duration timeout, IoAction meanwhile) throws IOException {
    InputStream in = s.getInputStream();
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    StringBuilder received = new StringBuilder();
    byte[] buf = new byte[4096];
    while (System.nanoTime() < deadline) {
      try {
        int n = in.read(buf);
        if (n < 0) {
          return new Outcome(true, received.toString(), Duration.ofNanos(System.nanoTime() - t0));
        }
        received.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
      } catch (SocketTimeoutException e) {
        try {
          meanwhile.run();
        } catch (IOException closedUnderUs) {
          // the server closed it: the next read says so
        }
      } catch (IOException reset) {
        return new Outcome(true, received.toString(), Duration.ofNanos(System.nanoTime() - t0));
      }
    }
    return new Outcome(false, received.toString(), timeout);
  }

  private interface IoAction {
    void run() throws IOException;
  }

  /** Sends the text a byte per call. */
  private static IoAction dribble(Socket s, String text) {
    AtomicInteger at = new AtomicInteger();
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    return () -> {
      if (at.get() < bytes.length) {
        s.getOutputStream().write(bytes[at.getAndIncrement()]);
      }
    };
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
    double before = closed("rest", "header_timeout");
    try (Socket s = connect()) {
      Outcome o = watch(s, SLACK, () -> { });
      assertTrue(o.closed(), "closed within " + SLACK);
      assertTrue(o.after().toMillis() >= HEADER_S * 1000 - 300, "not before the header timeout: " + o.after());
      assertEquals("", o.received());
    }
    assertEquals(before + 1, closed("rest", "header_timeout"));
  }

  @Test
  void aClientSendingItsHeadAByteAtATimeIsCutOffAtTheHeaderTimeout() throws Exception {
    try (Socket s = connect()) {
      String slow = "GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n";
      Outcome o = watch(s, SLACK, dribble(s, slow)); // a byte every 100 ms: 25 s for the head
      assertTrue(o.closed(), "closed within " + SLACK + " though bytes kept coming");
      assertTrue(o.after().toMillis() >= HEADER_S * 1000 - 300, "not before the header timeout: " + o.after());
      assertEquals("", o.received(), "no answer to a head never completed");
    }
  }

  @Test
  void theClockRunsBeforeTheServerHasToldHttp1FromHttp2() throws Exception {
    // the HTTP/2 preface's bytes keep Vert.x guessing which protocol it is; the guard sees the connection earlier
    try (Socket s = connect()) {
      Outcome o = watch(s, SLACK, dribble(s, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
      assertTrue(o.closed(), "closed within " + SLACK + " while dribbling the HTTP/2 preface");
      assertTrue(o.after().toMillis() >= HEADER_S * 1000 - 300, "not before the header timeout: " + o.after());
    }
  }

  @Test
  void aKeptAliveConnectionWithNoRequestIsClosedAfterTheKeepAliveIdleTime() throws Exception {
    double before = closed("rest", "keepalive_idle");
    try (Socket s = connect()) {
      assertTrue(exchange(s, HEALTH).startsWith("HTTP/1.1 200"));
      Outcome o = watch(s, SLACK, () -> { });
      assertTrue(o.closed(), "closed within " + SLACK);
      assertTrue(o.after().toMillis() >= KEEPALIVE_S * 1000 - 300, "not before it was idle a while: " + o.after());
    }
    assertEquals(before + 1, closed("rest", "keepalive_idle"), "closed by the keep-alive limit");
  }

  @Test
  void theNextRequestHeadOfAKeptAliveConnectionMustAlsoArriveInTime() throws Exception {
    double before = closed("rest", "header_timeout");
    try (Socket s = connect()) {
      assertTrue(exchange(s, HEALTH).startsWith("HTTP/1.1 200"));
      Outcome o = watch(s, SLACK, dribble(s, "GET /v2/health/live HTTP/1.1\r\nX-Slow: " + "a".repeat(200)));
      assertTrue(o.closed(), "closed within " + SLACK);
    }
    assertEquals(before + 1, closed("rest", "header_timeout"), "closed by the header timeout, not keep-alive");
  }

  @Test
  void aConnectionSilentInTheMiddleOfARequestIsClosedAfterTheIdleTimeout() throws Exception {
    // the body read timeout is 30 s here: only gateway.idle_timeout_s can close it this soon
    try (Socket s = connect()) {
      s.getOutputStream().write(("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"in")
          .getBytes(StandardCharsets.US_ASCII));
      Outcome o = watch(s, Duration.ofSeconds(IDLE_S).plus(SLACK), () -> { });
      assertTrue(o.closed(), "closed");
      assertTrue(o.after().toMillis() >= IDLE_S * 1000 - 300, "not before the idle timeout: " + o.after());
    }
  }

  @Test
  void aConnectionOverTheCapIsClosedAtOnceAndCounted() throws Exception {
    double before = closed("rest", "over_limit");
    List<Socket> busy = new ArrayList<>();
    List<IoAction> keepBusy = new ArrayList<>();
    try {
      // requests in progress, their bodies sent slowly: no limit cuts these connections off
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        Socket s = connect();
        s.getOutputStream().write(("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        busy.add(s);
        keepBusy.add(dribble(s, " ".repeat(1000)));
      }
      Poll.until(SLACK, MAX_CONNECTIONS + " connections counted", () -> node.gateway().restConnections() == MAX_CONNECTIONS);
      try (Socket over = connect()) {
        Outcome o = watch(over, SLACK, () -> {
          for (IoAction a : keepBusy) {
            a.run();
          }
        });
        assertTrue(o.closed(), "the connection over the cap is closed");
        assertEquals("", o.received());
      }
      for (Socket s : busy) {
        assertTrue(!s.isClosed() && s.getInputStream().available() == 0, "the connections within the cap are untouched");
      }
      assertEquals(MAX_CONNECTIONS, node.gateway().restConnections());
    } finally {
      for (Socket s : busy) {
        s.close();
      }
    }
    assertEquals(before + 1, closed("rest", "over_limit"), "closed at once, for being over the cap (not timed out)");
    Poll.until(SLACK, "no connection counted once the clients closed them",
        () -> node.gateway().restConnections() == 0);
  }

  @Test
  void anHttp2ConnectionGetsItsStreamLimitAndIsClosedWhenIdleThoughItPings() throws Exception {
    Vertx vertx = node.node.vertx();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      CompletableFuture<HttpConnection> connected = new CompletableFuture<>();
      client.request(HttpMethod.GET, node.uri("/").getPort(), "127.0.0.1", "/v2/health/live")
          .compose(r -> r.send().compose(HttpClientResponse::body).map(b -> r.connection()))
          .onSuccess(connected::complete).onFailure(connected::completeExceptionally);
      HttpConnection connection = connected.get(30, TimeUnit.SECONDS);
      assertEquals(MAX_STREAMS, connection.remoteSettings().getMaxConcurrentStreams(),
          "the server announces gateway.http2_max_concurrent_streams");
      double before = closed("rest", "keepalive_idle");
      CompletableFuture<Long> goneAway = new CompletableFuture<>();
      long t0 = System.nanoTime();
      connection.goAwayHandler(g -> goneAway.complete(System.nanoTime() - t0));
      connection.closeHandler(v -> goneAway.complete(System.nanoTime() - t0));
      long pinger = vertx.setPeriodic(200, id -> connection.ping(Buffer.buffer("12345678")));
      try {
        long nanos = goneAway.get(SLACK.toSeconds() + KEEPALIVE_S, TimeUnit.SECONDS);
        assertTrue(nanos >= TimeUnit.SECONDS.toNanos(KEEPALIVE_S) - TimeUnit.MILLISECONDS.toNanos(300),
            "not before the keep-alive idle time: " + Duration.ofNanos(nanos));
      } finally {
        vertx.cancelTimer(pinger);
      }
      Poll.until(SLACK, "counted as closed for idleness", () -> closed("rest", "keepalive_idle") == before + 1);
    } finally {
      client.close().await();
    }
  }

  @Test
  void theGrpcPortIsGuardedToo() throws Exception {
    double before = closed("grpc", "header_timeout");
    try (Socket s = connect(node.grpcPort())) {
      Outcome o = watch(s, SLACK, () -> { });
      assertTrue(o.closed(), "a silent connection to the gRPC port is closed");
    }
    assertEquals(before + 1, closed("grpc", "header_timeout"));
  }
}
