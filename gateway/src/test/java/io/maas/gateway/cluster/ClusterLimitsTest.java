package io.maas.gateway.cluster;

import static io.maas.gateway.cluster.Tenants.send;
import static io.maas.gateway.cluster.Tenants.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three gateway processes sharing keys: a gateway that joins knows every key before it serves, one key's rate
 * holds within 10 % across all three under overload, and a daily quota is never exceeded.
 */
@Tag("cluster")
class ClusterLimitsTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  private final Tenants tenants = new Tenants(cluster);

  @Test
  void threeGatewaysHoldOneKeysRateAndDailyQuotaAndAJoiningOneKnowsEveryKeyBeforeItServes() throws Exception {
    int adminA = ClusterHarness.freePort();
    WorkerProcess worker = cluster.startWorker("worker", WorkerOptions.sim(1, 0));
    GatewayProcess a = tenants.gateway("gateway-a", adminA).awaitLive(START);
    GatewayProcess b = tenants.gateway("gateway-b", ClusterHarness.freePort()).awaitLive(START);
    worker.awaitId(START);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      keys.add(tenants.createKey(adminA, "{\"rate_per_second\": 1000, \"burst\": 1000}"));
    }
    Poll.until(START, "A and B serve", () -> status(a, keys.get(0)) == 200 && status(b, keys.get(0)) == 200);

    // C joins: once it answers at all, it knows every key (loaded whole before it listens)
    GatewayProcess c = tenants.gateway("gateway-c", ClusterHarness.freePort()).awaitLive(START);
    String log = Files.readString(c.jvm.log());
    Matcher loaded = Pattern.compile("(\\d+) API keys loaded").matcher(log);
    assertTrue(loaded.find() && loaded.start() < log.indexOf("listening on"), "C loads the keys before it listens");
    assertTrue(Integer.parseInt(loaded.group(1)) >= keys.size(), "every key: " + loaded.group());
    Poll.until(START, "C routes to the worker", () -> status(c, keys.get(0)) == 200);
    for (String k : keys.subList(1, keys.size())) {
      assertEquals(200, status(c, k), "a key made before C joined, on its first call to C");
    }

    // R = 20/s, burst 5: 10 s of 5x overload spread over the three gateways
    String limited = tenants.createKey(adminA, "{\"rate_per_second\": 20, \"burst\": 5}");
    Overload load = Overload.run(List.of(a, b, c), limited, 30, Duration.ofSeconds(10));
    System.out.println(load.describe(20, 3));
    assertEquals(0, load.other(), "only 200s and 429s");
    assertTrue(load.limited() > 2 * load.accepted(), "the load overloads the key");
    assertEquals(20, load.acceptedRate(), 20 * 0.10, "accepted rate within 10% of the limit");

    // a daily quota of 300 under 12 concurrent callers spread over the three gateways
    String quota = tenants.createKey(adminA, "{\"rate_per_second\": 400, \"burst\": 400, \"daily_quota\": 300}");
    List<GatewayProcess> gateways = List.of(a, b, c);
    ExecutorService callers = Executors.newFixedThreadPool(12);
    try {
      List<Future<int[]>> counts = new ArrayList<>();
      for (int t = 0; t < 12; t++) {
        GatewayProcess g = gateways.get(t % 3);
        counts.add(callers.submit(() -> {
          int[] n = new int[2]; // 200s, quota 429s
          for (int i = 0; i < 60; i++) {
            HttpResponse<String> r = send(Tenants.infer(g, quota));
            if (r.statusCode() == 200) {
              n[0]++;
            } else if (r.statusCode() == 429 && r.body().contains("quota_exhausted")) {
              n[1]++;
            } else {
              throw new IOException("unexpected " + r.statusCode() + " " + r.body());
            }
          }
          return n;
        }));
      }
      int accepted = 0;
      int refused = 0;
      for (Future<int[]> f : counts) {
        int[] n = f.get(60, TimeUnit.SECONDS);
        accepted += n[0];
        refused += n[1];
      }
      System.out.printf("daily quota 300 across 3 gateways: %d accepted, %d refused as quota_exhausted%n", accepted, refused);
      assertTrue(accepted <= 303, "the quota is never exceeded by more than 1%: " + accepted);
      assertTrue(accepted >= 270, "and nearly all of it is usable while calls keep coming: " + accepted);
      assertEquals(720, accepted + refused);
    } finally {
      callers.shutdownNow();
    }
    tenants.assertNoSecretInLogs();
  }
}
