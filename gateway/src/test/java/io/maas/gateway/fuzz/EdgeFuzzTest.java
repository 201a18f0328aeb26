package io.maas.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.maas.config.MaasConfig;
import io.maas.config.TenancyConfig;
import io.maas.gateway.RunningNode;
import io.maas.gateway.TestRepository;
import io.maas.node.MaasNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every edge answers bad input with a 4xx (or its gRPC status), never a 5xx, never silence: a few thousand
 * generated requests across every surface of a real node with API keys on (REST: KServe V2, TF Serving, simple
 * predict, OpenAI embeddings; the admin port with and without its token; raw malformed HTTP/1 on all three ports;
 * gRPC: every KServe V2 and health method, methods not served, with malformed messages, framing and metadata).
 * Each case must be answered within its deadline as its {@link FuzzCase} rules say, and the node must log no ERROR
 * for any of them and serve a good request after them.
 *
 * <p>Seeded: the seed is printed, and {@code -Dmaas.fuzz.seed=N} replays a run ({@code -Dmaas.fuzz.case=I} only its
 * case I). By default each run draws a new seed, so that runs explore different cases; a failure names its seed and
 * case. {@code -Dmaas.fuzz.cases=N} sets how many cases run (3,200 by default).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class EdgeFuzzTest {
  private static final String ADMIN = "fuzz-admin-token";
  /** How long one case may take to be answered; generous for a loaded 2-core machine. */
  private static final long DEADLINE_MS = 20_000;
  private static final int THREADS = 8;

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static Target target;

  @BeforeAll
  static void start() throws Exception {
    MaasConfig c = RunningNode.config(TestRepository.create(dir.resolve("repo")), "maas-fuzz-" + UUID.randomUUID());
    node = new RunningNode(new MaasConfig(c.gateway(), c.worker(), c.cluster(),
        new TenancyConfig(true, "127.0.0.1", 0, ADMIN, dir.resolve("data"))), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    int admin = node.gateway().adminPort();
    String key = createKey(admin, "{\"name\": \"fuzz\", \"rate_per_second\": 1000000, \"burst\": 10000000}")
        .getString("key");
    String victim = createKey(admin, "{\"name\": \"victim\"}").getString("id");
    target = new Target(node.node.httpPort(), node.grpcPort(), admin, key, ADMIN, victim);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static JsonObject createKey(int adminPort, String body) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + adminPort + "/admin/keys"))
        .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  /** The cases of a run, each from a seed of its own drawn from the run's seed, surfaces interleaved. */
  static List<FuzzCase> cases(long seed, int total) {
    Random run = new Random(seed);
    List<Function<Mutations, FuzzCase>> kinds = new ArrayList<>();
    addTimes(kinds, RestCases::next, total * 40 / 100);
    addTimes(kinds, AdminCases::next, total * 8 / 100);
    addTimes(kinds, RawHttpCases::next, total * 14 / 100);
    addTimes(kinds, GrpcCases::next, total - kinds.size());
    java.util.Collections.shuffle(kinds, run);
    List<FuzzCase> cases = new ArrayList<>(kinds.size());
    for (Function<Mutations, FuzzCase> kind : kinds) {
      cases.add(kind.apply(new Mutations(run.nextLong())));
    }
    return cases;
  }

  private static void addTimes(List<Function<Mutations, FuzzCase>> kinds, Function<Mutations, FuzzCase> kind, int n) {
    for (int i = 0; i < n; i++) {
      kinds.add(kind);
    }
  }

  /** A case's result, numbered for replay. */
  private record Result(int index, FuzzCase fuzzCase, Verdict verdict, long millis) {}

  /** The seed CI runs (seeds 1-6 and many random ones passed when the test was written). */
  private static final long DEFAULT_SEED = 20261130L;

  @Test
  void everyEdgeAnswersBadInputWithAClientErrorNeverA5xxNorSilence() throws Exception {
    String given = System.getProperty("maas.fuzz.seed");
    // a fixed seed by default, so that CI's verdict is the code's and not the draw's; -Dmaas.fuzz.seed=random explores
    long seed = given == null || given.isBlank() ? DEFAULT_SEED
        : given.trim().equals("random") ? new SecureRandom().nextLong() : Long.parseLong(given.trim());
    int total = Integer.getInteger("maas.fuzz.cases", 3_200);
    List<FuzzCase> cases = cases(seed, total);
    Integer only = Integer.getInteger("maas.fuzz.case");
    System.out.printf("edge fuzz: seed %d (replay with -Dmaas.fuzz.seed=%d), %d cases%n", seed, seed, cases.size());

    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    long started = System.nanoTime();
    List<Result> results = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Result>> running = new ArrayList<>();
      for (int i = 0; i < cases.size(); i++) {
        if (only == null || only == i) {
          int index = i;
          running.add(pool.submit(() -> run(index, cases.get(index))));
        }
      }
      for (Future<Result> f : running) {
        results.add(f.get(DEADLINE_MS * 3, TimeUnit.MILLISECONDS));
      }
    } finally {
      pool.shutdownNow();
      root.detachAppender(logs);
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

    System.out.println(summary(results, seconds));
    List<Result> broken = results.stream().filter(r -> !r.verdict().ok()).toList();
    List<ILoggingEvent> errors;
    synchronized (logs) {
      errors = logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
    }
    assertTrue(broken.isEmpty(), broken.size() + " of " + results.size() + " cases were not answered as a client's "
        + "mistake must be (seed " + seed + "):\n" + broken.stream().limit(15).map(r -> describe(seed, r))
        .collect(Collectors.joining("\n")));
    assertTrue(errors.isEmpty(), errors.size() + " ERROR lines logged during the run (seed " + seed + "):\n"
        + errors.stream().limit(10).map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? "" : " [" + e.getThrowableProxy().getClassName() + ": "
            + e.getThrowableProxy().getMessage() + "]")).collect(Collectors.joining("\n")));
    assertNodeStillServes();
  }

  private static Result run(int index, FuzzCase c) {
    long t0 = System.nanoTime();
    Verdict v;
    try {
      v = c.run(target, DEADLINE_MS);
    } catch (Exception | AssertionError e) {
      v = Verdict.broken("exception", e.toString());
    }
    return new Result(index, c, v, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  private static String describe(long seed, Result r) {
    String what = r.fuzzCase().describe();
    return "case " + r.index() + " (-Dmaas.fuzz.seed=" + seed + " -Dmaas.fuzz.case=" + r.index() + ") "
        + r.fuzzCase().surface() + ": " + r.verdict().outcome() + " " + r.verdict().detail() + "\n    sent: "
        + (what.length() > 600 ? what.substring(0, 600) + "..." : what);
  }

  /** Cases and outcomes per surface, the slowest case, the run's length. */
  private static String summary(List<Result> results, long seconds) {
    Map<String, Map<String, Integer>> bySurface = new TreeMap<>();
    for (Result r : results) {
      bySurface.computeIfAbsent(r.fuzzCase().surface(), s -> new TreeMap<>())
          .merge(r.verdict().outcome(), 1, Integer::sum);
    }
    StringBuilder b = new StringBuilder("edge fuzz: ").append(results.size()).append(" cases in ").append(seconds)
        .append(" s; slowest ").append(results.stream().mapToLong(Result::millis).max().orElse(0)).append(" ms\n");
    bySurface.forEach((surface, outcomes) -> b.append(String.format("  %-46s %5d  %s%n", surface,
        outcomes.values().stream().mapToInt(Integer::intValue).sum(), outcomes)));
    return b.toString();
  }

  private static void assertNodeStillServes() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.uri("/v2/models/simple/infer"))
        .header("Authorization", "Bearer " + target.apiKey()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":"
            + "\"INT32\",\"data\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},{\"name\":\"INPUT1\",\"shape\":[1,16],"
            + "\"datatype\":\"INT32\",\"data\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), "the node serves a good request after the run: " + r.body());
    RawHttp2.Exchange live = RawHttp2.call(target.grpcPort(), List.of(Map.entry(":method", "POST"),
        Map.entry(":scheme", "http"), Map.entry(":path", "/inference.GRPCInferenceService/ServerLive"),
        Map.entry(":authority", "127.0.0.1"), Map.entry("content-type", "application/grpc"),
        Map.entry("te", "trailers")), new byte[5], false, DEADLINE_MS);
    assertEquals("0", live.grpcStatus(), "the gRPC edge serves after the run: " + live.describe());
  }
}
