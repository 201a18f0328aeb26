package io.maas.gateway.cluster;

import static io.maas.gateway.cluster.Tenants.admin;
import static io.maas.gateway.cluster.Tenants.keyId;
import static io.maas.gateway.cluster.Tenants.send;
import static io.maas.gateway.cluster.Tenants.status;
import static io.maas.gateway.cluster.Tenants.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys across real gateway processes sharing one cluster: one key's rate limit holds for the whole
 * cluster (not N x the limit), revocation and new keys reach every gateway promptly (milliseconds here; the test
 * allows {@link #PROPAGATION} so that a starved 2-core host does not fail it), keys and usage survive
 * a restart of every node (a crash loses at most the last second of counts), and no process log ever holds a
 * key's secret.
 */
@Tag("cluster")
class TenancyClusterTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  /** How long a key's change may take to reach the other gateway: a Hazelcast map event, not a poll. */
  private static final Duration PROPAGATION = Duration.ofSeconds(5);

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  private final Tenants tenants = new Tenants(cluster);

  /** A worker and two gateways with keys on, each with its admin API. */
  private record TwoGateways(WorkerProcess worker, GatewayProcess a, GatewayProcess b, int adminA, int adminB) {}

  private TwoGateways startTwoGateways() {
    int adminA = ClusterHarness.freePort();
    int adminB = ClusterHarness.freePort();
    WorkerProcess worker = cluster.startWorker("worker", WorkerOptions.sim(1, 0));
    GatewayProcess a = tenants.gateway("gateway-a", adminA).awaitLive(START);
    GatewayProcess b = tenants.gateway("gateway-b", adminB).awaitLive(START);
    worker.awaitId(START);
    return new TwoGateways(worker, a, b, adminA, adminB);
  }

  /** A key made on A, once both gateways serve it. */
  private String servedKey(TwoGateways two, String body) {
    String key = tenants.createKey(two.adminA(), body);
    Poll.until(START, "both gateways serve", () -> status(two.a(), key) == 200 && status(two.b(), key) == 200);
    return key;
  }

  @Test
  void oneKeyLimitedToRPerSecondIsHeldToRAcrossTwoGatewaysAndRevocationReachesBothWithinOneSecond()
      throws Exception {
    TwoGateways two = startTwoGateways();
    GatewayProcess a = two.a();
    GatewayProcess b = two.b();
    int adminA = two.adminA();
    int adminB = two.adminB();
    String warm = servedKey(two, "{\"rate_per_second\": 1000, \"burst\": 1000}");

    // R = 20/s, burst 5 (at most +2.5% over 10 s): 10 s of 5x overload spread over both gateways
    double rate = 20;
    String key = tenants.createKey(adminA, "{\"name\": \"limited\", \"rate_per_second\": 20, \"burst\": 5}");
    Overload load = Overload.run(List.of(a, b), key, 20, Duration.ofSeconds(10));
    System.out.println(load.describe(rate, 2));
    assertEquals(0, load.other(), "only 200s and 429s");
    assertTrue(load.limited() > 2 * load.accepted(), "the load overloads the key");
    System.out.println(limiterCost(a, key));
    // the limit holds for the cluster: never more than 10% over it (two gateways alone would give 2x); below
    // it, the load generator itself may fall behind on a starved host, so the lower bound is looser
    assertTrue(load.acceptedRate() <= rate * 1.10, "accepted rate at most 10% over the limit: " + load.acceptedRate());
    assertTrue(load.acceptedRate() >= rate * 0.75, "accepted rate near the limit: " + load.acceptedRate());

    // revoke on A: B refuses the key; a new key made on A works on B
    HttpResponse<String> revoked = send(admin(adminA, "/admin/keys/" + keyId(warm)).DELETE());
    assertEquals(200, revoked.statusCode(), revoked.body());
    long t0 = System.nanoTime();
    Poll.until(PROPAGATION, "B refuses the revoked key", () -> status(b, warm) == 401);
    System.out.printf("revocation seen on B after %.1f ms%n", (System.nanoTime() - t0) / 1e6);
    String fresh = tenants.createKey(adminA, "{}");
    long t1 = System.nanoTime();
    Poll.until(PROPAGATION, "B accepts the new key", () -> status(b, fresh) == 200);
    Poll.until(PROPAGATION, "A accepts the new key", () -> status(a, fresh) == 200);
    System.out.printf("new key served on both after %.1f ms%n", (System.nanoTime() - t1) / 1e6);
    HttpResponse<String> r = send(Tenants.infer(b, warm));
    assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
    assertFalse(r.body().contains(warm), r.body());
    tenants.assertNoSecretInLogs();
  }

  /**
   * What admission adds per request, measured one request at a time on an idle gateway: the median time of
   * a 429 (the key's look-up and the rate limiter, nothing dispatched) against a 401 for a malformed key
   * (no look-up at all).
   */
  private static String limiterCost(GatewayProcess g, String limitedKey) {
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

  @Test
  void keysAndUsageSurviveARestartOfEveryNode() throws Exception {
    TwoGateways two = startTwoGateways();
    GatewayProcess a = two.a();
    GatewayProcess b = two.b();
    int adminA = two.adminA();
    int adminB = two.adminB();
    String key = servedKey(two, "{\"name\": \"durable\", \"rate_per_second\": 1000, \"burst\": 1000}");
    String revoked = tenants.createKey(adminB, "{}");
    assertEquals(200, send(admin(adminB, "/admin/keys/" + keyId(revoked)).DELETE()).statusCode());
    // B's counts reach the cluster map, and so A's admin API, within a publication interval
    Poll.until(Duration.ofSeconds(20), "usage of both gateways counted", () -> usage(adminA, key).getLong("successes", 0L) >= 2);
    long before = usage(adminA, key).getLong("successes");

    for (GatewayProcess g : List.of(a, b)) {
      g.jvm.terminate();
    }
    two.worker().jvm.terminate();
    for (ChildJvm j : List.of(a.jvm, b.jvm, two.worker().jvm)) {
      assertTrue(j.awaitExit(Duration.ofSeconds(30)), j.name() + " stops");
    }

    WorkerProcess worker2 = cluster.startWorker("worker-2", WorkerOptions.sim(1, 0));
    // new names, so that the first runs' logs stay for the secret scan; the same data directories
    GatewayProcess a2 = tenants.gateway("gateway-a-restarted", adminA, "gateway-a").awaitLive(START);
    GatewayProcess b2 = tenants.gateway("gateway-b-restarted", adminB, "gateway-b").awaitLive(START);
    worker2.awaitId(START);
    Poll.until(START, "the key works again on both", () -> status(a2, key) == 200 && status(b2, key) == 200);
    assertEquals(401, status(b2, revoked), "a revoked key stays revoked");
    assertEquals(401, status(a2, revoked), "a revoked key stays revoked");
    long after = usage(adminB, key).getLong("successes");
    assertTrue(after >= before, "usage kept across the restart: " + before + " then " + after);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(a2, key));
    }
    Poll.until(Duration.ofSeconds(20), "usage counts on after the restart",
        () -> usage(adminB, key).getLong("successes") >= after + 3);
    tenants.assertNoSecretInLogs();
  }

  /**
   * Counts are published to the cluster every 250 ms and written to each gateway's durable copy every 750 ms:
   * a kill -9 of every process keeps every call answered more than a second before it (1.5 s here: the
   * second plus the time the writes themselves take on a loaded machine).
   */
  @Test
  void aCrashOfEveryNodeLosesAtMostTheLastSecondOfUsage() throws Exception {
    TwoGateways two = startTwoGateways();
    GatewayProcess a = two.a();
    GatewayProcess b = two.b();
    int adminA = two.adminA();
    int adminB = two.adminB();
    String key = servedKey(two, "{\"name\": \"crash\", \"rate_per_second\": 1000, \"burst\": 1000}");
    int answered = 2;
    for (int i = 0; i < 40; i++) {
      assertEquals(200, status(i % 2 == 0 ? a : b, key));
      answered++;
    }
    long last = System.nanoTime();
    Poll.until(Duration.ofSeconds(5), "1.5 s since the last call", () -> System.nanoTime() - last >= 1_500_000_000L);
    for (ChildJvm j : List.of(a.jvm, b.jvm, two.worker().jvm)) {
      j.kill();
    }
    for (ChildJvm j : List.of(a.jvm, b.jvm, two.worker().jvm)) {
      assertTrue(j.awaitExit(Duration.ofSeconds(30)), j.name() + " is gone");
    }

    tenants.gateway("gateway-a-restarted", adminA, "gateway-a").awaitLive(START);
    tenants.gateway("gateway-b-restarted", adminB, "gateway-b").awaitLive(START);
    long kept = usage(adminB, key).getLong("successes", 0L);
    System.out.printf("after kill -9 of every node: %d of %d successes kept%n", kept, answered);
    assertTrue(kept >= answered, "every call answered over a second before the crash is counted: " + kept + " of " + answered);
  }

  /**
   * Gateway A dies with kill -9 and B counts on; then every process stops and starts again, A (the older copy)
   * first, and once more in the other order: the usage is the newest count either way (each counter merges as
   * the larger of the copies), never A's stale one.
   */
  @Test
  void aRestartInAnyOrderAfterAKillKeepsTheNewestUsage() throws Exception {
    TwoGateways two = startTwoGateways();
    String key = servedKey(two, "{\"name\": \"order\", \"rate_per_second\": 1000, \"burst\": 1000}");
    for (int i = 0; i < 10; i++) {
      assertEquals(200, status(i % 2 == 0 ? two.a() : two.b(), key));
    }
    long last = System.nanoTime();
    Poll.until(Duration.ofSeconds(5), "A's copy is written", () -> System.nanoTime() - last >= 1_500_000_000L);
    two.a().jvm.kill();
    assertTrue(two.a().jvm.awaitExit(Duration.ofSeconds(30)));
    for (int i = 0; i < 30; i++) {
      assertEquals(200, status(two.b(), key));
    }
    long newest = Poll.until(Duration.ofSeconds(20), "B counts every call",
        () -> Optional.of(usage(two.adminB(), key).getLong("successes", 0L)).filter(n -> n >= 42));
    two.b().jvm.terminate(); // its last counts reach its copy on the way out
    two.worker().jvm.terminate();
    for (ChildJvm j : List.of(two.b().jvm, two.worker().jvm)) {
      assertTrue(j.awaitExit(Duration.ofSeconds(30)), j.name() + " stops");
    }

    GatewayProcess a2 = tenants.gateway("gateway-a-2", two.adminA(), "gateway-a").awaitLive(START);
    GatewayProcess b2 = tenants.gateway("gateway-b-2", two.adminB(), "gateway-b").awaitLive(START);
    assertEquals(newest, usage(two.adminA(), key).getLong("successes"), "the stale copy started first; the newest count wins");
    for (GatewayProcess g : List.of(a2, b2)) {
      g.jvm.terminate();
      assertTrue(g.jvm.awaitExit(Duration.ofSeconds(30)), g.jvm.name() + " stops");
    }
    tenants.gateway("gateway-b-3", two.adminB(), "gateway-b").awaitLive(START);
    tenants.gateway("gateway-a-3", two.adminA(), "gateway-a").awaitLive(START);
    assertEquals(newest, usage(two.adminA(), key).getLong("successes"), "the other order: the same count");
  }

  /**
   * Every cluster map keeps one backup (Hazelcast's default, kept by the cluster config): a kill -9 of one
   * gateway loses no key and no published count, whichever member owned their partitions.
   */
  @Test
  void aKilledGatewayLosesNoKeyAndNoPublishedUsage() throws Exception {
    TwoGateways two = startTwoGateways();
    List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      keys.add(tenants.createKey(two.adminA(), "{\"rate_per_second\": 1000, \"burst\": 1000}"));
    }
    Poll.until(START, "A serves", () -> status(two.a(), keys.get(0)) == 200);
    for (String k : keys) {
      assertEquals(200, status(two.a(), k));
    }
    Poll.until(Duration.ofSeconds(20), "A's counts are published",
        () -> keys.stream().allMatch(k -> usage(two.adminB(), k).getLong("successes", 0L) >= (k.equals(keys.get(0)) ? 2 : 1)));
    two.a().jvm.kill();
    assertTrue(two.a().jvm.awaitExit(Duration.ofSeconds(30)));
    Poll.until(Duration.ofSeconds(30), "B serves on", () -> status(two.b(), keys.get(0)) == 200);
    HttpResponse<String> listed = send(admin(two.adminB(), "/admin/keys").GET());
    for (String k : keys) {
      assertTrue(listed.body().contains(keyId(k)), "key " + keyId(k) + " is still in the cluster map");
      assertTrue(usage(two.adminB(), k).getLong("successes", 0L) >= 1, "its published usage too");
    }
  }
}
