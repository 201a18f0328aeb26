package io.maas.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Hedging off against on, side by side in one run ({@code java -jar bench/target/maas-bench.jar hedging}):
 * for each kind of workers ({@code sim}: a fixed ~21 ms, no CPU; {@code cpu}: ONNX Runtime, sub-millisecond
 * with the machine's jitter) one cluster of 3 workers and two gateways, one with
 * {@code gateway.hedge_enabled=false} (the default) and one with it on; the gateways are loaded in turns
 * (off, on, on, off), never at once, under the same closed loop. Two situations:
 *
 * <ul>
 *   <li><b>steady</b>: no fault; what hedging costs (extra requests sent to workers, from the gateway's own
 *       counters) and does to latency and throughput;
 *   <li><b>pause</b>: 2 s into an 8 s window one worker is stopped (SIGSTOP) for 3 s, then resumed
 *       (SIGCONT): a worker alive but not answering, as in a long GC pause. With maas's default announce
 *       interval (1 s, announcements valid 3 s) nothing else answers what it holds for 2-3 s.
 * </ul>
 * Writes {@code bench/results/hedging.md} and {@code .csv}; logs go to {@code bench/target/hedging/}.
 * Settings by system properties: {@code -Dbench.workers=sim,cpu -Dbench.concurrency=8 -Dbench.base_ms=20
 * -Dbench.pause_s=3}.
 */
public final class HedgingBench {
  private static final String BODY = """
      {"inputs": [
        {"name": "INPUT0", "shape": [1, 16], "datatype": "INT32", "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
        {"name": "INPUT1", "shape": [1, 16], "datatype": "INT32", "data": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""";
  private static final Duration START = Duration.ofSeconds(90);
  /** Each fresh gateway's first load, not measured: its JIT and connection pools, and its latency estimate. */
  private static final Duration WARM_START = Duration.ofSeconds(8);
  private static final Duration WARM_UP = Duration.ofSeconds(2);
  private static final Duration STEADY = Duration.ofSeconds(8);
  private static final Duration PAUSE_LEAD = Duration.ofSeconds(2);
  private static final Duration PAUSE_WINDOW = Duration.ofSeconds(8);
  private static final String PAUSED = "worker-1";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HedgingBench() {}

  /** One gateway under test: its REST target and its admin port (for its hedge counters). */
  private record Side(String workers, HedgingReport.Hedging hedging, URI target, int adminPort) {}

  public static void main(String[] args) throws Exception {
    int concurrency = Integer.getInteger("bench.concurrency", 8);
    int baseMs = Integer.getInteger("bench.base_ms", 20);
    Duration pause = Duration.ofSeconds(Integer.getInteger("bench.pause_s", 3));
    Path root = Path.of(System.getProperty("maas.root", ".")).toAbsolutePath().normalize();
    Path jar = root.resolve("gateway/target/maas-gateway.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -q -pl bench -am package -DskipTests` first");
    }
    Path work = root.resolve("bench/target/hedging");
    Path repository = work.resolve("models");
    BenchRepository.copyTree(root.resolve("conf/models/simple"), repository.resolve("simple"));
    HedgingReport.Settings settings = new HedgingReport.Settings(concurrency, baseMs, pause, WARM_UP, STEADY,
        PAUSE_LEAD, PAUSE_WINDOW);

    List<HedgingReport.Turn> turns = new ArrayList<>();
    for (String kind : System.getProperty("bench.workers", "sim,cpu").split(",")) {
      String slot = switch (kind.trim()) {
        case "sim" -> "{\"device\":\"sim\",\"sim_base_ms\":" + baseMs + ",\"sim_per_item_ms\":1}";
        case "cpu" -> "{\"device\":\"cpu\",\"intra_op_threads\":1}";
        default -> throw new IllegalArgumentException("bench.workers: sim or cpu, not " + kind);
      };
      turns.addAll(compare(kind.trim(), slot, jar, work.resolve("logs-" + kind.trim()), repository, concurrency, pause));
    }
    String md = HedgingReport.markdown(settings, turns);
    Path results = root.resolve("bench/results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("hedging.md"), md);
    Files.writeString(results.resolve("hedging.csv"), HedgingReport.csv(turns));
    System.out.println(md);
  }

  /** One cluster of 3 workers of one kind and both gateways: every turn of both situations. */
  private static List<HedgingReport.Turn> compare(String kind, String slot, Path jar, Path logDir, Path repository,
      int concurrency, Duration pause) throws Exception {
    List<HedgingReport.Turn> turns = new ArrayList<>();
    try (MaasProcesses cluster = new MaasProcesses(jar, logDir)) {
      MaasProcesses.Gateway off = cluster.launchGateway("gateway-off", Auth.OFF, "gateway.hedge_enabled=false");
      MaasProcesses.Gateway on = cluster.launchGateway("gateway-on", Auth.OFF, "gateway.hedge_enabled=true");
      List<Path> logs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        logs.add(cluster.startWorker("worker-" + i, repository, slot, 1000));
      }
      cluster.awaitLive(off.httpPort(), START);
      cluster.awaitLive(on.httpPort(), START);
      List<String> workers = new ArrayList<>();
      for (Path log : logs) {
        workers.add(cluster.awaitWorkerId(log, START));
      }
      List<Side> sides = List.of(side(kind, HedgingReport.Hedging.OFF, off), side(kind, HedgingReport.Hedging.ON, on));
      for (Side s : sides) {
        awaitServedByAll(s, workers, concurrency);
        new ClosedLoopLoad(s.target(), BODY, concurrency).run(Duration.ZERO, WARM_START); // JIT, pools, estimate
      }
      System.out.printf("hedging off vs on: 3 %s workers, closed loop c = %d%n", kind, concurrency);
      for (HedgingReport.Hedging h : HedgingReport.turnOrder()) {
        turns.add(steady(sides.get(h.ordinal()), concurrency));
      }
      for (HedgingReport.Hedging h : HedgingReport.turnOrder()) {
        turns.add(paused(cluster, sides.get(h.ordinal()), concurrency, pause));
        for (Side s : sides) {
          awaitServedByAll(s, workers, concurrency); // the resumed worker is back in routing before the next turn
        }
      }
    }
    return turns;
  }

  private static Side side(String workers, HedgingReport.Hedging hedging, MaasProcesses.Gateway g) {
    return new Side(workers, hedging, URI.create("http://127.0.0.1:" + g.httpPort() + "/v2/models/simple/infer"),
        g.adminPort());
  }

  private static HedgingReport.Turn steady(Side side, int concurrency) throws Exception {
    ClosedLoopLoad load = new ClosedLoopLoad(side.target(), BODY, concurrency);
    load.run(Duration.ZERO, WARM_UP);
    Counters before = counters(side);
    ClosedLoopLoad.Result r = load.run(Duration.ZERO, STEADY);
    return print(new HedgingReport.Turn(side.workers(), HedgingReport.Situation.STEADY, side.hedging(), r,
        counters(side).minus(before)));
  }

  /** One window with a worker stopped in its middle (bench timing: fixed offsets, not synchronisation). */
  private static HedgingReport.Turn paused(MaasProcesses cluster, Side side, int concurrency, Duration pause)
      throws Exception {
    ClosedLoopLoad load = new ClosedLoopLoad(side.target(), BODY, concurrency);
    load.run(Duration.ZERO, WARM_UP);
    Counters before = counters(side);
    CompletableFuture<ClosedLoopLoad.Result> window = CompletableFuture.supplyAsync(() -> {
      try {
        return load.run(Duration.ZERO, PAUSE_WINDOW);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompletionException(e);
      }
    });
    Thread.sleep(PAUSE_LEAD.toMillis());
    cluster.signal(PAUSED, "STOP");
    try {
      Thread.sleep(pause.toMillis());
    } finally {
      cluster.signal(PAUSED, "CONT");
    }
    ClosedLoopLoad.Result r = window.join();
    return print(new HedgingReport.Turn(side.workers(), HedgingReport.Situation.PAUSE, side.hedging(), r,
        counters(side).minus(before)));
  }

  private static HedgingReport.Turn print(HedgingReport.Turn t) {
    System.out.println("  " + t.summary());
    return t;
  }

  /** Short loads until every worker has served this gateway (after a start, or after a resumed pause). */
  private static void awaitServedByAll(Side side, List<String> workers, int concurrency) throws Exception {
    long deadline = System.nanoTime() + START.toNanos();
    ClosedLoopLoad probe = new ClosedLoopLoad(side.target(), BODY, concurrency);
    while (true) {
      Map<String, Long> servedBy = probe.run(Duration.ZERO, Duration.ofSeconds(1)).servedBy();
      if (servedBy.keySet().containsAll(workers)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(side.hedging() + " gateway routes to " + servedBy.keySet() + ", not all of "
            + workers + " within " + START);
      }
    }
  }

  /** The gateway's request and hedge counters for the model, from its /metrics. */
  record Counters(double requests, double hedges, double wins) {
    Counters minus(Counters o) {
      return new Counters(requests - o.requests, hedges - o.hedges, wins - o.wins);
    }
  }

  private static Counters counters(Side side) throws IOException, InterruptedException {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + side.adminPort() + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    return new Counters(sum(text, "maas_gateway_requests_total"), sum(text, "maas_gateway_hedges_total"),
        sum(text, "maas_gateway_hedge_wins_total"));
  }

  /** The sum of every series of this name for model simple (requests: every outcome code). */
  static double sum(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains("model=\"simple\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
