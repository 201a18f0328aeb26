package io.maas.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of 1, 2 and 4 {@code sim} workers behind one gateway, all separate processes, under the same
 * closed-loop load; writes {@code bench/results/sim-scaling.md} and {@code .csv}.
 *
 * <p>A sim worker computes nothing: it holds its model instance for {@code sim_base_ms} per request, so a
 * worker serves at most {@code 1000 / sim_base_ms} requests per second whatever the machine, and the
 * table shows what the gateway's routing makes of more workers. Run from the repository root:
 * {@code mvn -q -pl bench -am package -DskipTests && java -jar bench/target/maas-bench.jar}; settings
 * by system properties ({@code -Dbench.workers=1,2,4 -Dbench.concurrency=32 -Dbench.base_ms=50
 * -Dbench.warmup_s=5 -Dbench.measure_s=15}).
 */
public final class SimScaling {
  private static final String BODY = """
      {"inputs": [
        {"name": "INPUT0", "shape": [1, 16], "datatype": "INT32", "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
        {"name": "INPUT1", "shape": [1, 16], "datatype": "INT32", "data": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""";
  private static final Duration START = Duration.ofSeconds(90);

  private SimScaling() {}

  record Row(int workers, ClosedLoopLoad.Result result) {}

  public static void main(String[] args) throws Exception {
    int[] workerCounts = Arrays.stream(System.getProperty("bench.workers", "1,2,4").split(","))
        .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    int concurrency = Integer.getInteger("bench.concurrency", 32);
    int baseMs = Integer.getInteger("bench.base_ms", 50);
    Duration warmUp = Duration.ofSeconds(Integer.getInteger("bench.warmup_s", 5));
    Duration measure = Duration.ofSeconds(Integer.getInteger("bench.measure_s", 15));
    Path root = Path.of(System.getProperty("maas.root", ".")).toAbsolutePath().normalize();
    Path jar = root.resolve("gateway/target/maas-gateway.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -q -pl bench -am package -DskipTests` first");
    }
    Path work = root.resolve("bench/target/sim-scaling");
    Path repository = sampleRepository(root, work.resolve("models"));
    String slot = "{\"device\":\"sim\",\"sim_base_ms\":" + baseMs + ",\"sim_per_item_ms\":0}";

    List<Row> rows = new ArrayList<>();
    for (int n : workerCounts) {
      System.out.printf("%d sim worker(s), %d clients: starting processes%n", n, concurrency);
      try (MaasProcesses cluster = new MaasProcesses(jar, work.resolve("logs-" + n))) {
        int port = cluster.startGateway(START);
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          logs.add(cluster.startWorker("worker-" + i, repository, slot));
        }
        for (Path log : logs) {
          cluster.awaitWorkerId(log, START);
        }
        ClosedLoopLoad load = new ClosedLoopLoad(URI.create("http://127.0.0.1:" + port + "/v2/models/simple/infer"),
            BODY, concurrency);
        ClosedLoopLoad.Result r = load.run(warmUp, measure);
        System.out.printf("  %.1f req/s, p50 %.1f ms, p99 %.1f ms, %d failed, served by %s%n", r.throughput(),
            r.latencyMicros().getValueAtPercentile(50) / 1000.0, r.latencyMicros().getValueAtPercentile(99) / 1000.0,
            r.failures(), r.servedBy().values());
        if (r.servedBy().size() != n) {
          System.out.printf("  WARNING: %d of %d workers served requests%n", r.servedBy().size(), n);
        }
        rows.add(new Row(n, r));
      }
    }
    Path results = root.resolve("bench/results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("sim-scaling.md"), markdown(rows, concurrency, baseMs, warmUp, measure));
    Files.writeString(results.resolve("sim-scaling.csv"), csv(rows));
    System.out.println(markdown(rows, concurrency, baseMs, warmUp, measure));
  }

  /** A repository with the sample model {@code simple} (one instance) copied from conf/models. */
  private static Path sampleRepository(Path root, Path dir) throws IOException {
    BenchRepository.copyTree(root.resolve("conf/models/simple"), dir.resolve("simple"));
    return dir;
  }

  private static double ms(ClosedLoopLoad.Result r, double percentile) {
    return r.latencyMicros().getValueAtPercentile(percentile) / 1000.0;
  }

  static String markdown(List<Row> rows, int concurrency, int baseMs, Duration warmUp, Duration measure) {
    double one = rows.stream().filter(r -> r.workers() == 1).findFirst()
        .map(r -> r.result().throughput()).orElse(Double.NaN);
    StringBuilder sb = new StringBuilder();
    sb.append("# sim workers behind one gateway\n\n")
        .append(String.format(Locale.ROOT, "%s, %d cores, %s. One gateway and N worker processes (the fat jar) "
            + "on 127.0.0.1; each worker has one `sim` slot holding the model `simple` (one instance) for "
            + "`sim_base_ms` = %d ms per request, so one worker serves at most %.0f req/s. Closed loop: %d "
            + "clients over HTTP/1.1 on `POST /v2/models/simple/infer`, %d s warm-up, then %d s measured.%n%n",
            LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version"),
            baseMs, 1000.0 / baseMs, concurrency, warmUp.toSeconds(), measure.toSeconds()))
        .append("| workers | req/s | p50 ms | p99 ms | failed | × 1 worker | of linear | requests per worker |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Row row : rows) {
      ClosedLoopLoad.Result r = row.result();
      double speedup = r.throughput() / one;
      sb.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %d | %.2f | %.0f %% | %s |%n", row.workers(),
          r.throughput(), ms(r, 50), ms(r, 99), r.failures(), speedup, 100 * speedup / row.workers(),
          r.servedBy().values()));
    }
    return sb.toString();
  }

  static String csv(List<Row> rows) {
    double one = rows.stream().filter(r -> r.workers() == 1).findFirst()
        .map(r -> r.result().throughput()).orElse(Double.NaN);
    StringBuilder sb = new StringBuilder("workers,requests_per_s,p50_ms,p99_ms,failed,speedup,linear_ratio\n");
    for (Row row : rows) {
      ClosedLoopLoad.Result r = row.result();
      double speedup = r.throughput() / one;
      sb.append(String.format(Locale.ROOT, "%d,%.2f,%.2f,%.2f,%d,%.3f,%.3f%n", row.workers(), r.throughput(),
          ms(r, 50), ms(r, 99), r.failures(), speedup, speedup / row.workers()));
    }
    return sb.toString();
  }
}
