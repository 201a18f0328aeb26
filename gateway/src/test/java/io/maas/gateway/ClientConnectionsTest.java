package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.GatewayConfig;
import io.maas.config.MaasConfig;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idle clients are cut off, on a real node with an idle timeout of 1 s: a kept-alive connection left idle is closed. */
class ClientConnectionsTest {
  private static final GatewayConfig.ConnectionLimits LIMITS = new GatewayConfig.ConnectionLimits(1);
  private static final String HEALTH = "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n";

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

  private static Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", node.uri("/").getPort());
    s.setSoTimeout(200);
    return s;
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

  /** Whether the server closed the connection within the timeout (a read sees the end of the stream). */
  private static boolean closedWithin(Socket s, Duration timeout, Runnable meanwhile) throws IOException {
    InputStream in = s.getInputStream();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (in.read() < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        meanwhile.run();
      } catch (IOException reset) {
        return true;
      }
    }
    return false;
  }

  @Test
  void anIdleKeptAliveConnectionIsClosed() throws Exception {
    try (Socket s = connect()) {
      assertTrue(exchange(s, HEALTH).startsWith("HTTP/1.1 200"));
      long t0 = System.nanoTime();
      assertTrue(closedWithin(s, Duration.ofSeconds(10), () -> { }), "closed after its idle timeout");
      assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(500).toNanos(), "not before it was idle a while");
    }
  }
}
