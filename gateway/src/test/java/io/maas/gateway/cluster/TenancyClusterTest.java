package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys across real gateway processes sharing one cluster: one key's rate limit holds for the whole
 * cluster (not N x the limit), revocation and new keys reach every gateway within 1 s, keys and usage survive
 * a restart of every node, and no process log ever holds a key's secret.
 */
@Tag("cluster")
class TenancyClusterTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  private static final String ADMIN_TOKEN = "test-admin-token";
  private static final HttpClient HTTP = GatewayProcess.HTTP;

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  private final List<String> secrets = new ArrayList<>();

  /** A gateway with keys on, its admin API on the given port. */
  private GatewayProcess gateway(String name, int adminPort) {
    return gateway(name, adminPort, name);
  }

  /** The same, keeping its keys in the data directory of the gateway named {@code dataOf} (a restart). */
  private GatewayProcess gateway(String name, int adminPort, String dataOf) {
    return cluster.startGateway(name, "gateway.auth_enabled=true", "gateway.admin_port=" + adminPort,
        "gateway.admin_token=" + ADMIN_TOKEN, "gateway.data_dir=" + cluster.dir().resolve(dataOf + "-data"));
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return HTTP.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpRequest.Builder admin(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json");
  }

  private String createKey(int adminPort, String body) {
    HttpResponse<String> r = send(admin(adminPort, "/admin/keys").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(201, r.statusCode(), r.body());
    String key = new JsonObject(r.body()).getString("key");
    secrets.add(key);
    return key;
  }

  private static HttpRequest.Builder infer(GatewayProcess g, String key) {
    return HttpRequest.newBuilder(g.uri(Traffic.SIMPLE)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Traffic.SIMPLE_BODY));
  }

  private static int status(GatewayProcess g, String key) {
    return send(infer(g, key)).statusCode();
  }

  /** Every log of this test's processes, scanned for each key the test created and for its secret part alone. */
  private void assertNoSecretInLogs() throws IOException {
    try (Stream<Path> logs = Files.walk(cluster.dir())) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
        String text = Files.readString(log);
        for (String secret : secrets) {
          assertFalse(text.contains(secret), "a key secret appears in " + log);
          assertFalse(text.contains(secret.substring(18)), "a key secret appears in " + log);
        }
      }
    }
  }

  @Test
  void oneKeyLimitedToRPerSecondIsHeldToRAcrossTwoGatewaysAndRevocationReachesBothWithinOneSecond()
      throws Exception {
    int adminA = ClusterHarness.freePort();
    int adminB = ClusterHarness.freePort();
    WorkerProcess worker = cluster.startWorker("worker", WorkerOptions.sim(1, 0));
    GatewayProcess a = gateway("gateway-a", adminA).awaitLive(START);
    GatewayProcess b = gateway("gateway-b", adminB).awaitLive(START);
    worker.awaitId(START);
    String warm = createKey(adminA, "{\"rate_per_second\": 1000, \"burst\": 1000}");
    Poll.until(START, "both gateways serve", () -> status(a, warm) == 200 && status(b, warm) == 200);

    // R = 20/s, burst 5 (at most +2.5% over 10 s): 10 s of 5x overload spread over both gateways
    double rate = 20;
    String key = createKey(adminA, "{\"name\": \"limited\", \"rate_per_second\": 20, \"burst\": 5}");
    AtomicLong accepted = new AtomicLong();
    AtomicLong limited = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong limitedNanos = new AtomicLong();
    List<CompletableFuture<?>> inFlight = java.util.Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    long start = System.nanoTime();
    ticker.scheduleAtFixedRate(() -> {
      for (GatewayProcess g : List.of(a, b)) {
        long sent = System.nanoTime();
        inFlight.add(HTTP.sendAsync(infer(g, key).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
              if (e == null && r.statusCode() == 200) {
                accepted.incrementAndGet();
              } else if (e == null && r.statusCode() == 429) {
                limited.incrementAndGet();
                limitedNanos.addAndGet(System.nanoTime() - sent);
              } else {
                other.incrementAndGet();
              }
            }));
      }
    }, 0, 20, TimeUnit.MILLISECONDS);
    Poll.until(Duration.ofSeconds(15), "10 s of load", () -> System.nanoTime() - start >= 10_000_000_000L);
    ticker.shutdownNow();
    double seconds = (System.nanoTime() - start) / 1e9;
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    double acceptedRate = accepted.get() / seconds;
    System.out.printf("rate limit across 2 gateways: limit %.0f/s, accepted %d in %.2f s = %.2f/s (%.1f%% off),"
            + " 429s %d (mean %.2f ms), other %d%n", rate, accepted.get(), seconds, acceptedRate,
        100 * (acceptedRate - rate) / rate, limited.get(), limitedNanos.get() / 1e6 / Math.max(1, limited.get()),
        other.get());
    assertEquals(0, other.get(), "only 200s and 429s");
    assertTrue(limited.get() > 2 * accepted.get(), "the load overloads the key");
    System.out.println(limiterCost(a, warm, key));
    assertEquals(rate, acceptedRate, rate * 0.10, "accepted rate within 10% of the limit");

    // revoke on A: B refuses the key within 1 s; a new key made on A works on B within 1 s
    HttpResponse<String> revoked = send(admin(adminA, "/admin/keys/" + keyId(warm)).DELETE());
    assertEquals(200, revoked.statusCode(), revoked.body());
    long t0 = System.nanoTime();
    Poll.until(Duration.ofSeconds(1), "B refuses the revoked key", () -> status(b, warm) == 401);
    System.out.printf("revocation seen on B after %.1f ms%n", (System.nanoTime() - t0) / 1e6);
    String fresh = createKey(adminA, "{}");
    long t1 = System.nanoTime();
    Poll.until(Duration.ofSeconds(1), "B accepts the new key", () -> status(b, fresh) == 200);
    Poll.until(Duration.ofSeconds(1), "A accepts the new key", () -> status(a, fresh) == 200);
    System.out.printf("new key served on both after %.1f ms%n", (System.nanoTime() - t1) / 1e6);
    HttpResponse<String> r = send(infer(b, warm));
    assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
    assertFalse(r.body().contains(warm), r.body());
    assertNoSecretInLogs();
  }

  /**
   * What the limiter adds per request, measured one request at a time on an idle gateway: the median time of
   * a 429 (authentication + the cluster-wide bucket, nothing dispatched) against a 401 for a malformed key
   * (no cluster lookup at all).
   */
  private static String limiterCost(GatewayProcess g, String anyKey, String limitedKey) {
    long[] refused = new long[50];
    long[] limited = new long[50];
    for (int i = 0; i < 50; i++) {
      long t = System.nanoTime();
      assertEquals(401, status(g, "malformed"));
      refused[i] = System.nanoTime() - t;
      t = System.nanoTime();
      int s = status(g, limitedKey);
      limited[i] = System.nanoTime() - t;
      assertTrue(s == 429 || s == 200);
    }
    java.util.Arrays.sort(refused);
    java.util.Arrays.sort(limited);
    return String.format("limiter cost: median 401 (no lookup) %.2f ms, median 429 (key lookup + bucket) %.2f ms,"
        + " added %.2f ms", refused[25] / 1e6, limited[25] / 1e6, (limited[25] - refused[25]) / 1e6);
  }

  private static String keyId(String key) {
    return key.split("_")[1];
  }

  @Test
  void keysAndUsageSurviveARestartOfEveryNode() throws Exception {
    int adminA = ClusterHarness.freePort();
    int adminB = ClusterHarness.freePort();
    WorkerProcess worker = cluster.startWorker("worker", WorkerOptions.sim(1, 0));
    GatewayProcess a = gateway("gateway-a", adminA).awaitLive(START);
    GatewayProcess b = gateway("gateway-b", adminB).awaitLive(START);
    worker.awaitId(START);
    String key = createKey(adminA, "{\"name\": \"durable\", \"rate_per_second\": 1000, \"burst\": 1000}");
    Poll.until(START, "both gateways serve", () -> status(a, key) == 200 && status(b, key) == 200);
    String revoked = createKey(adminB, "{}");
    assertEquals(200, send(admin(adminB, "/admin/keys/" + keyId(revoked)).DELETE()).statusCode());
    long before = usage(adminA, key).getLong("successes");
    assertTrue(before >= 2, "usage counted: " + before);

    for (GatewayProcess g : List.of(a, b)) {
      g.jvm.terminate();
    }
    worker.jvm.terminate();
    for (ChildJvm j : List.of(a.jvm, b.jvm, worker.jvm)) {
      assertTrue(j.awaitExit(Duration.ofSeconds(30)), j.name() + " stops");
    }

    WorkerProcess worker2 = cluster.startWorker("worker-2", WorkerOptions.sim(1, 0));
    // new names, so that the first runs' logs stay for the secret scan; the same data directories
    GatewayProcess a2 = gateway("gateway-a-restarted", adminA, "gateway-a").awaitLive(START);
    GatewayProcess b2 = gateway("gateway-b-restarted", adminB, "gateway-b").awaitLive(START);
    worker2.awaitId(START);
    Poll.until(START, "the key works again on both", () -> status(a2, key) == 200 && status(b2, key) == 200);
    assertEquals(401, status(b2, revoked), "a revoked key stays revoked");
    assertEquals(401, status(a2, revoked), "a revoked key stays revoked");
    long after = usage(adminB, key).getLong("successes");
    assertTrue(after >= before, "usage kept across the restart: " + before + " then " + after);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(a2, key));
    }
    Poll.until(Duration.ofSeconds(5), "usage counts on after the restart",
        () -> usage(adminB, key).getLong("successes") >= after + 3);
    assertNoSecretInLogs();
  }

  private static JsonObject usage(int adminPort, String key) {
    HttpResponse<String> r = send(admin(adminPort, "/admin/keys/" + keyId(key) + "/usage").GET());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonObject("usage");
  }

}
