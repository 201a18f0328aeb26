package io.maas.bench;

import io.maas.bench.load.InferPayload;
import io.maas.bench.load.LoadGenerator;
import io.maas.bench.load.LoadResult;
import io.maas.bench.load.MixedTransport;
import io.maas.bench.load.Target;
import io.maas.bench.report.Goal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Issue 13's resource-aware placement on simulated workers ({@code java -jar bench/target/maas-bench.jar
 * placement}): one gateway with API keys on and 4 {@code sim} workers in placed mode whose budgets hold 12 model
 * versions, a repository of 40 models.
 *
 * <ol>
 *   <li><b>zipf</b>: an open loop over the 40 models with Zipf(1.1) popularity: no request fails (cold loads
 *       wait), at least 90 % are served without waiting for a load, no worker is ever over its budget, and the
 *       hottest model ends on at least 2 workers;
 *   <li><b>added</b>: the same load goes on and a fifth worker starts: it holds a READY version within 10 s of
 *       its announcement, and no request fails;
 *   <li><b>canary</b>: 10,000 unversioned requests to a model of versions 1 and 2 with {@code traffic: {"2": 10,
 *       "1": 90}}: version 2 serves 10 % ± 2 pp.
 * </ol>
 * A {@link PlacementWatch} reads the gateway's placement view every 100 ms throughout. Writes
 * {@code bench/results/placement.md} and {@code .csv}; logs and the generated repository go to
 * {@code bench/target/placement/}. Settings: {@code -Dbench.rate=240 -Dbench.measure_s=60} before {@code -jar};
 * {@code --quick} shortens every phase (a check, not a measurement).
 */
public final class PlacementBench {
  static final int MODELS = 40;
  static final double ZIPF_S = 1.1;
  static final int WORKERS = 4;
  static final long BUDGET_MB = 300;
  static final long MODEL_MB = 100;
  static final long BASE_MS = 20;
  static final long ANNOUNCE_MS = 1000;
  static final String CANARY = "canary";
  static final int CANARY_INSTANCES = 8;
  static final int CANARY_CONCURRENCY = 32;
  static final String SLOT = "{\"device\":\"sim\",\"sim_base_ms\":" + BASE_MS + ",\"sim_per_item_ms\":0,"
      + "\"memory_limit_mb\":" + BUDGET_MB + ",\"sim_model_mb\":" + MODEL_MB + "}";
  static final String PLACED = "worker.model_control_mode=placed";
  /** The Zipf ranks' order over the names, and the request mix: the same every run. */
  static final long SEED = 13;
  static final Duration POLL = Duration.ofMillis(100);
  /** The key the placement watch reads the view with: the repository scope only. */
  static final String OPERATOR_KEY =
      "{\"name\": \"bench-placement\", \"owner\": \"bench\", \"scopes\": [\"repository\"]}";
  private static final Duration START = Duration.ofSeconds(120);
  /** In flight at most: requests waiting for a load are many at once, and must not count as the generator's. */
  private static final int MAX_OUTSTANDING = 2048;
  /**
   * Connections: one per request in flight up to this many, so that requests waiting for a load hold up no request
   * for a model loaded in the client's pool; below the gateway's {@code gateway.max_connections} (1024), which
   * closes one more as soon as it is accepted.
   */
  static final int CONNECTIONS = 1000;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private PlacementBench() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    double rate = Double.parseDouble(System.getProperty("bench.rate", "240"));
    long warmUpS = quick ? 5 : 15;
    long measureS = Long.getLong("bench.measure_s", quick ? 15 : 60);
    long addRunS = quick ? 15 : 30;
    long addAfterS = quick ? 3 : 5;
    long canaryRequests = quick ? 2_000 : 10_000;
    long t0 = System.nanoTime();
    Path root = Path.of(System.getProperty("maas.root", ".")).toAbsolutePath().normalize();
    Path jar = root.resolve("gateway/target/maas-gateway.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -q -pl bench -am package -DskipTests` first");
    }
    String command = "java -jar bench/target/maas-bench.jar" + (quick ? " --quick" : "") + " placement";
    RunInfo info = RunInfo.create(root, quick, command);
    Path work = root.resolve("bench/target/placement");
    List<String> models = repository(root, work.resolve("models"));
    List<String> byRank = new ArrayList<>(models);
    Collections.shuffle(byRank, new Random(SEED));
    Zipf zipf = new Zipf(MODELS, ZIPF_S);
    PlacementReport.Settings settings = new PlacementReport.Settings(MODELS, ZIPF_S, WORKERS, BUDGET_MB, MODEL_MB,
        BASE_MS, rate, warmUpS, measureS, addRunS, addAfterS, canaryRequests, CANARY_CONCURRENCY, CANARY_INSTANCES,
        ANNOUNCE_MS, POLL.toMillis(), quick);

    PlacementReport.Pool pool;
    PlacementReport.Added added;
    PlacementReport.Canary canary;
    List<PlacementWatch.Sample> samples;
    List<PlacementReport.Mark> marks = Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    try (MaasProcesses cluster = new MaasProcesses(jar, work.resolve("logs"));
        LoadGenerator generator = new LoadGenerator()) {
      MaasProcesses.Gateway g = cluster.launchGateway("gateway", Auth.ON);
      List<Path> logs = new ArrayList<>();
      for (int i = 1; i <= WORKERS; i++) {
        logs.add(cluster.startWorker("worker-" + i, work.resolve("models"), SLOT, ANNOUNCE_MS, PLACED));
      }
      cluster.awaitLive(g.httpPort(), START);
      for (Path log : logs) {
        cluster.awaitWorkerId(log, START);
      }
      String key = BenchApiKey.create(g.adminPort(), cluster.adminToken(), START);
      // the placement view takes a key with the repository scope (the admin token is taken by load and unload only)
      String operator = BenchApiKey.create(g.adminPort(), cluster.adminToken(), OPERATOR_KEY, START);
      Target target = new Target(List.of(g.httpPort()), List.of(g.grpcPort()), Optional.of(key));
      System.out.printf("placement: 1 gateway, %d placed sim workers up (%s)%n", WORKERS, Bench.elapsed(t0));
      try (PlacementWatch watch = PlacementWatch.start(g.httpPort(), operator, POLL,
          work.resolve("logs/placement-views.jsonl"))) {
        watch.awaitWorkers(WORKERS, START);
        if (!watch.decider()) {
          System.out.println("  the gateway's placement view says it does not decide placement");
        }
        SplittableRandom random = new SplittableRandom(SEED);
        // zipf
        MixedTransport mix = new MixedTransport(generator.vertx(), target, payload(), CONNECTIONS,
            () -> byRank.get(zipf.sample(random)), watch::readySomewhere);
        marks.add(new PlacementReport.Mark("zipf warm-up", watch.elapsedMillis() / 1000.0));
        System.out.printf("zipf: %s req/s over %d models, %d s warm-up + %d s measured (%s)%n", rate, MODELS,
            warmUpS, measureS, Bench.elapsed(t0));
        Window w = openLoop(generator, mix, rate, warmUpS, measureS, g.adminPort(), cluster.adminToken(), watch,
            clock, marks, "zipf");
        PlacementReport.Phase zipfPhase = w.phase("zipf", mix);
        List<PlacementReport.Rank> ranks = new ArrayList<>();
        Map<String, Integer> maxCopies = watch.maxCopies();
        Map<String, Double> maxHeld = watch.maxHeldPerCopy();
        for (int k = 0; k < MODELS; k++) {
          String m = byRank.get(k);
          org.HdrHistogram.Histogram h = w.tally().micros(m);
          boolean none = h.getTotalCount() == 0;
          ranks.add(new PlacementReport.Rank(k + 1, m, zipf.probability(k), w.tally().requests(m),
              none ? Double.NaN : h.getValueAtPercentile(50) / 1000.0,
              none ? Double.NaN : h.getValueAtPercentile(99) / 1000.0, w.copiesAtEnd().getOrDefault(m, 0),
              maxCopies.getOrDefault(m, 0), maxHeld.getOrDefault(m, 0.0)));
        }
        print(zipfPhase);
        System.out.printf("  hottest %s: %d READY copies at the end of the window (most seen %d)%n", byRank.get(0),
            w.copiesAtEnd().getOrDefault(byRank.get(0), 0), maxCopies.getOrDefault(byRank.get(0), 0));
        mix.close();

        // added
        MixedTransport mix2 = new MixedTransport(generator.vertx(), target, payload(), CONNECTIONS,
            () -> byRank.get(zipf.sample(random)), watch::readySomewhere);
        System.out.printf("added: the same load %d s, worker-%d starting %d s in (%s)%n", addRunS, WORKERS + 1,
            addAfterS, Bench.elapsed(t0));
        CompletableFuture<Window> loading = CompletableFuture.supplyAsync(() -> {
          try {
            return openLoop(generator, mix2, rate, 0, addRunS, g.adminPort(), cluster.adminToken(), watch, clock,
                marks, "added");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        Thread.sleep(TimeUnit.SECONDS.toMillis(addAfterS)); // a fixed point of the load, not synchronisation
        long startedMs = watch.elapsedMillis();
        marks.add(new PlacementReport.Mark("added: worker-" + (WORKERS + 1) + " starts", startedMs / 1000.0));
        Path log = cluster.startWorker("worker-" + (WORKERS + 1), work.resolve("models"), SLOT, ANNOUNCE_MS, PLACED);
        String newId = cluster.awaitWorkerId(log, START);
        Window w2 = loading.join();
        PlacementReport.Phase addedPhase = w2.phase("added", mix2);
        mix2.close();
        awaitReadyOn(watch, newId, Duration.ofSeconds(10)); // for the report; the goal judges the time it took
        added = new PlacementReport.Added(addedPhase, newId, startedMs, watch.firstSeen().get(newId),
            watch.firstReady().get(newId));
        print(addedPhase);
        System.out.printf("  %s listed at %s ms, first READY version at %s ms (process started at %d ms)%n", newId,
            added.seenMs(), added.readyMs(), startedMs);

        // canary
        marks.add(new PlacementReport.Mark("canary", watch.elapsedMillis() / 1000.0));
        System.out.printf("canary: %d unversioned requests to %s, %d in flight (%s)%n", canaryRequests, CANARY,
            CANARY_CONCURRENCY, Bench.elapsed(t0));
        MixedTransport one = new MixedTransport(generator.vertx(), target, payload(), CANARY_CONCURRENCY,
            () -> CANARY, watch::readySomewhere);
        MixedTransport.Tally versions = one.window(Long.MIN_VALUE, Long.MAX_VALUE);
        LoadResult canaryLoad = generator.requests(one, canaryRequests, CANARY_CONCURRENCY);
        one.close();
        canary = new PlacementReport.Canary(canaryLoad, versions.byVersion());
        System.out.printf("  %s: %s%n", versions.byVersion(), canaryLoad.failures() + " failed");
        marks.add(new PlacementReport.Mark("end", watch.elapsedMillis() / 1000.0));
        watch.close();
        samples = watch.samples();
        pool = new PlacementReport.Pool(zipfPhase, ranks, zipf.topShare(11), zipf.topShare(12), watch.maxRatio(),
            watch.maxRatioByWorker(), watch.overBudget(), watch.firstOverBudget(), watch.polls(),
            watch.failedPolls());
        System.out.println("  placement view: " + watch.summary());
      }
    } finally {
      clock.shutdownNow();
    }
    String took = Bench.elapsed(t0);
    String md = PlacementReport.markdown(settings, info.machine(), command, pool, added, canary, samples, marks, took);
    Path results = root.resolve("bench/results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("placement.md"), md);
    Files.writeString(results.resolve("placement.csv"), PlacementReport.csv(pool, added));
    System.out.printf("%nGoals (%s):%n", took);
    for (Goal goal : PlacementReport.goals(pool, added, canary)) {
      System.out.printf("  %-7s %s: %s: %s%n", goal.verdict(), goal.scenario(), goal.goal(), goal.measured());
    }
    System.out.println("wrote " + results.resolve("placement.md"));
  }

  /**
   * The bench's repository: {@code m00}..{@code m39}, each a copy of conf/models/simple, and {@code canary}: the
   * same model file as versions 1 and 2, both served ({@code version_policy: all}), 10 % of unversioned requests to
   * version 2, {@link #CANARY_INSTANCES} instances. Gives the 40 names.
   */
  static List<String> repository(Path root, Path dir) throws IOException {
    Path simple = root.resolve("conf/models/simple");
    if (!Files.isRegularFile(simple.resolve("1/model.onnx"))) {
      throw new IllegalStateException(simple.resolve("1/model.onnx") + " is missing");
    }
    BenchRepository.deleteTree(dir);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < MODELS; i++) {
      String name = String.format("m%02d", i);
      BenchRepository.copyTree(simple, dir.resolve(name));
      names.add(name);
    }
    Path canary = dir.resolve(CANARY);
    BenchRepository.copyTree(simple, canary);
    Files.createDirectories(canary.resolve("2"));
    Files.copy(simple.resolve("1/model.onnx"), canary.resolve("2/model.onnx"));
    String config = Files.readString(simple.resolve("config.yaml"));
    if (!config.contains("count: 1")) {
      throw new IllegalStateException(simple.resolve("config.yaml") + " no longer says `count: 1`");
    }
    Files.writeString(canary.resolve("config.yaml"), config.replace("count: 1", "count: " + CANARY_INSTANCES)
        + """
        version_policy:
          all: {}
        traffic: {"2": 10, "1": 90}
        """);
    return names;
  }

  /** {@code simple}'s inputs, one row. */
  static InferPayload payload() {
    long[] shape = {1, 16};
    long[] a = new long[16];
    long[] b = new long[16];
    for (int i = 0; i < 16; i++) {
      a[i] = i;
      b[i] = 1;
    }
    return new InferPayload(List.of(new InferPayload.Input("INPUT0", "INT32", shape, a),
        new InferPayload.Input("INPUT1", "INT32", shape, b)), List.of());
  }

  /**
   * One open-loop phase and what the gateway counted in its measured window.
   *
   * @param before the gateway's counters at the window's start; after: at its end
   * @param copiesAtEnd each model's READY copies in the view at the window's end
   * @param outsideFailures failures outside the measured window (warm-up, and answers after it)
   */
  record Window(LoadResult load, MixedTransport.Tally tally, Counters before, Counters after,
      Map<String, Integer> copiesAtEnd, long outsideFailures) {
    PlacementReport.Phase phase(String name, MixedTransport transport) {
      Map<String, Long> kinds = new java.util.TreeMap<>(transport.failureKinds());
      long notSent = load.failures() - tally.failures(); // the generator's own: never reached the transport
      if (notSent > 0) {
        kinds.put("generator: more than " + MAX_OUTSTANDING + " requests outstanding, not sent (in the window)",
            notSent);
      }
      return new PlacementReport.Phase(name, load, outsideFailures, after.coldWaits() - before.coldWaits(),
          after.requests() - before.requests(), tally.notReadyAtSend(),
          tally.readyMicros(), tally.notReadyMicros(), Map.copyOf(kinds));
    }
  }

  private static Window openLoop(LoadGenerator generator, MixedTransport transport, double rate, long warmUpS,
      long measureS, int adminPort, String adminToken, PlacementWatch watch, ScheduledExecutorService clock,
      List<PlacementReport.Mark> marks, String name) throws Exception {
    long now = System.nanoTime();
    long from = now + TimeUnit.SECONDS.toNanos(warmUpS);
    long to = from + TimeUnit.SECONDS.toNanos(measureS);
    MixedTransport.Tally tally = transport.window(from, to);
    long failuresBefore = transport.failuresEver();
    ScheduledFuture<Counters> before = clock.schedule(() -> {
      marks.add(new PlacementReport.Mark(name, watch.elapsedMillis() / 1000.0));
      return counters(adminPort, adminToken);
    }, from - System.nanoTime(), TimeUnit.NANOSECONDS);
    ScheduledFuture<Object[]> after = clock.schedule(() -> {
      Counters c = counters(adminPort, adminToken);
      marks.add(new PlacementReport.Mark(name + ": drain", watch.elapsedMillis() / 1000.0));
      return new Object[] {c, watch.copiesNow()};
    }, to - System.nanoTime(), TimeUnit.NANOSECONDS);
    LoadResult r = generator.openLoop(transport, rate, MAX_OUTSTANDING, Duration.ofSeconds(warmUpS),
        Duration.ofSeconds(measureS));
    Object[] end = after.get();
    @SuppressWarnings("unchecked")
    Map<String, Integer> copies = (Map<String, Integer>) end[1];
    // both counted by the transport, so the windows agree (the generator's own failures are in r only)
    long outside = transport.failuresEver() - failuresBefore - tally.failures();
    return new Window(r, tally, before.get(), (Counters) end[0], copies, outside);
  }

  private static void print(PlacementReport.Phase p) {
    LoadResult r = p.load();
    System.out.printf("  %s: %d requests, %.1f req/s, p50 %.1f ms, p99 %.1f ms, %d failed (+%d outside the "
            + "window), %.0f cold waits of %.0f gateway requests (%s %% no load; client's guess %s %%)%n", p.name(),
        p.requests(), r.requestsPerSecond(), r.millis(50), r.millis(99), r.failures(), p.outsideFailures(),
        p.coldWaits(), p.gatewayRequests(), PlacementReport.pct(p.warmShare()),
        PlacementReport.pct(p.clientWarmShare()));
    p.failureKinds().forEach((kind, n) -> System.out.println("    " + n + " failed: " + kind));
  }

  /** Polls the watch until the worker holds a READY version, or the timeout passes (no failure: the goal judges). */
  private static void awaitReadyOn(PlacementWatch watch, String workerId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!watch.firstReady().containsKey(workerId) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** The gateway's cold waits and requests answered, from its /metrics. */
  record Counters(double coldWaits, double requests) {}

  static Counters counters(int adminPort, String adminToken) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
        .timeout(Duration.ofSeconds(10));
    if (adminToken != null) {
      b.header("Authorization", "Bearer " + adminToken);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("/metrics on port " + adminPort + ": HTTP " + r.statusCode());
    }
    double requests = sum(r.body(), "maas_gateway_requests_total");
    // requests: no series before the first answer; cold waits: none at all in a build without placement
    return new Counters(sum(r.body(), "maas_placement_cold_waits_total"), Double.isNaN(requests) ? 0 : requests);
  }

  /** The sum of every series of this metric; NaN when there is none. */
  static double sum(String metrics, String name) {
    double[] total = {0};
    boolean[] found = {false};
    metrics.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).forEach(l -> {
      found[0] = true;
      total[0] += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
    });
    return found[0] ? total[0] : Double.NaN;
  }
}
