package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workers hold no cluster data (they are Hazelcast lite members): a worker frozen past the member timeout
 * stalls no tenant's admission and rejoins on its own within seconds of resuming; a worker started before
 * any gateway waits for one; when the only gateway dies, the workers are routed to by its successor; and a
 * gateway frozen past the member timeout is merged back and serves again.
 */
@Tag("cluster")
class MemberPauseTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  private static final int KEYS = 24;
  private static final int CONCURRENCY = 8;
  /** The gateway logs this when Hazelcast removes a member (after cluster.member_timeout_s of silence). */
  private static final Pattern MEMBER_LEFT = Pattern.compile("cluster member \\S+ left");

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  private final Tenants tenants = new Tenants(cluster);

  @Test
  void aWorkerFrozenPastTheMemberTimeoutStallsNoTenantAndServesAgainSoonAfterItResumes() {
    int adminPort = ClusterHarness.freePort();
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.sim(5, 0));
    WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.sim(5, 0));
    GatewayProcess gateway = tenants.gateway("gateway", adminPort).awaitLive(START);
    String idA = a.awaitId(START);
    String idB = b.awaitId(START);
    List<String> keys = IntStream.range(0, KEYS)
        .mapToObj(i -> tenants.createKey(adminPort, "{\"name\": \"tenant-" + i + "\"}")).toList();
    List<HttpRequest.Builder> requests = keys.stream().map(k -> Tenants.infer(gateway, k)).toList();

    try (LoadGenerator load = LoadGenerator.start(requests, CONCURRENCY, Long.MAX_VALUE, Duration.ofSeconds(150))) {
      Poll.until(START, "both workers serve under load",
          () -> load.snapshot().servedBy(idA) >= 20 && load.snapshot().servedBy(idB) >= 20);
      int membersLeftBefore = gateway.jvm.logMatches(MEMBER_LEFT).size();
      long pausedAt = System.nanoTime();
      b.jvm.pause();
      // frozen until the cluster removes it: it must then find its own way back
      Poll.until(Duration.ofSeconds(60), "the cluster removes the frozen worker",
          () -> gateway.jvm.logMatches(MEMBER_LEFT).size() > membersLeftBefore);
      long resumedAt = System.nanoTime();
      b.jvm.resume();
      Poll.until(Duration.ofSeconds(60), "the resumed worker serves again",
          () -> load.snapshot().startedFrom(resumedAt).servedBy(idB) >= 20);
      long back = System.nanoTime();
      LoadResult result = load.stop();

      assertEquals(0, result.failures(), "no request fails because a worker froze: " + result);
      // once the frozen worker's announcements expired (3 x 1 s) it is out of routing; from then on every
      // tenant is admitted and served at once: no key, bucket or usage record waits on the frozen process
      long routedAround = pausedAt + Duration.ofSeconds(5).toNanos();
      LoadResult whileFrozen = result.where(o -> o.startNanos() - routedAround > 0 && o.startNanos() - resumedAt < 0);
      long slowest = whileFrozen.outcomes().stream().mapToLong(o -> o.endNanos() - o.startNanos()).max().orElse(0);
      Set<Integer> servedKeys = whileFrozen.outcomes().stream().filter(LoadGenerator.Outcome::ok)
          .map(LoadGenerator.Outcome::request).collect(Collectors.toSet());
      System.out.printf("worker frozen %.1f s: %d requests while it was out of routing, slowest %.0f ms, %d of %d keys "
              + "served; it served again %.1f s after SIGCONT%n", (resumedAt - pausedAt) / 1e9, whileFrozen.total(),
          slowest / 1e6, servedKeys.size(), KEYS, (back - resumedAt) / 1e9);
      assertTrue(whileFrozen.total() >= 100, "load while frozen: " + whileFrozen);
      assertEquals(KEYS, servedKeys.size(), "every tenant is served while a worker is frozen");
      assertTrue(slowest < Duration.ofSeconds(1).toNanos(), "a request took " + slowest / 1e6 + " ms while a worker was frozen");
      assertTrue(back - resumedAt < Duration.ofSeconds(30).toNanos(), "rejoined " + (back - resumedAt) / 1e9 + " s after SIGCONT");
    }
  }

  @Test
  void aWorkerStartedBeforeAnyGatewayWaitsForOneAndServesTheNextGatewayAfterTheOnlyOneIsKilled() {
    WorkerProcess worker = cluster.startWorker("worker", WorkerOptions.sim(5, 0));
    Poll.until(START, "the worker waits for a gateway", () -> worker.jvm.logText().contains("waits for one to join"));
    GatewayProcess first = cluster.gateway("gateway-1");
    String id = worker.awaitId(START);
    Traffic.awaitServedBy(first, List.of(id), START);

    // the only member holding data dies: the event bus's registry of who listens where dies with it
    first.jvm.kill();
    assertTrue(first.jvm.awaitExit(Duration.ofSeconds(10)), "gateway-1 survived kill -9");
    GatewayProcess second = cluster.gateway("gateway-2");
    Traffic.awaitServedBy(second, List.of(id), START);

    try (LoadGenerator load = LoadGenerator.start(second.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, 4, 200, START)) {
      LoadResult result = load.awaitDone();
      assertEquals(200, result.total(), result.toString());
      assertEquals(0, result.failures(), result.toString());
      assertEquals(200, result.servedBy(id), result.toString());
    }
    assertTrue(worker.jvm.logText().contains("publishing it again"), "the worker republished its registration");
    List<String> errors = new ArrayList<>(worker.jvm.logText().lines().filter(l -> l.contains(" ERROR ")).toList());
    assertEquals(List.of(), errors, "the worker logs no error for a gateway's death");
  }

  @Test
  void aGatewayFrozenPastTheMemberTimeoutIsMergedBackAndServesAgainWhileTheOtherServesThroughout() {
    WorkerProcess worker = cluster.startWorker("worker", WorkerOptions.sim(5, 0));
    GatewayProcess a = cluster.gateway("gateway-a");
    GatewayProcess b = cluster.gateway("gateway-b");
    String id = worker.awaitId(START);
    Traffic.awaitServedBy(a, List.of(id), START);
    Traffic.awaitServedBy(b, List.of(id), START);

    try (LoadGenerator load = LoadGenerator.start(a.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, 4, Long.MAX_VALUE,
        Duration.ofSeconds(150))) {
      int membersLeftBefore = a.jvm.logMatches(MEMBER_LEFT).size();
      b.jvm.pause();
      Poll.until(Duration.ofSeconds(60), "the cluster removes the frozen gateway",
          () -> a.jvm.logMatches(MEMBER_LEFT).size() > membersLeftBefore);
      long resumedAt = System.nanoTime();
      b.jvm.resume();
      // the resumed gateway finds itself cut off (meanwhile it answers 503 + Retry-After: it sees no worker)
      // until Hazelcast merges it back into the cluster
      Poll.until(Duration.ofSeconds(60), "the resumed gateway is merged back", () -> b.jvm.logText().contains(" is merging "));
      Poll.until(Duration.ofSeconds(60), "the merged gateway serves again", () -> Tenants.send(
          java.net.http.HttpRequest.newBuilder(b.uri(Traffic.SIMPLE)).header("Content-Type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Traffic.SIMPLE_BODY))).statusCode() == 200);
      long back = System.nanoTime();
      LoadResult result = load.stop();
      System.out.printf("gateway frozen past the member timeout: merged back and served again %.1f s after SIGCONT; the other "
          + "answered %d requests meanwhile, %d failed%n", (back - resumedAt) / 1e9, result.total(), result.failures());
      assertEquals(0, result.failures(), "the other gateway serves throughout: " + result);
      assertTrue(back - resumedAt < Duration.ofSeconds(30).toNanos(), "merged back " + (back - resumedAt) / 1e9 + " s after SIGCONT");
    }
  }
}
