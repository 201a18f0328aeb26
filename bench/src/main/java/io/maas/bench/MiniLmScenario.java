package io.maas.bench;

import static io.maas.bench.BenchRepository.BATCHED;
import static io.maas.bench.BenchRepository.UNBATCHED;

import io.maas.bench.load.InferPayload;
import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import io.maas.bench.report.Table;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * all-MiniLM-L6-v2 with fixed-length token inputs: the in-process ceiling (best sequences/s over a batch
 * sweep), then the same request through the gateway over REST JSON (the concurrency sweep), REST binary
 * and gRPC, batching on and off, an open-loop rate sweep, and (16 tokens) 1 gateway + 2 workers.
 */
final class MiniLmScenario implements Scenario {
  static final String ON = "on";
  static final String OFF = "off";
  static final int HEADLINE_CONCURRENCY = 32;

  private final String name;
  private final int tokens;
  private final boolean headline;
  private final boolean quick;
  private final InferPayload payload;
  private final List<OrtCeiling.BatchRun> ceilingRuns = new ArrayList<>();
  private final List<OrtCeiling.BatchRun> ceilingRunsAfter = new ArrayList<>();
  private final List<Point> points = new ArrayList<>();
  private String sessionOptions = "";

  /**
   * @param headline whether this is the 16-token scenario the goals are stated for (more points, the
   *     open-loop sweep, the cluster part)
   */
  MiniLmScenario(int tokens, boolean headline, boolean quick) {
    this.name = "minilm-" + tokens;
    this.tokens = tokens;
    this.headline = headline;
    this.quick = quick;
    this.payload = Payloads.minilm(tokens);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> models() {
    return List.of(BATCHED, UNBATCHED);
  }

  @Override
  public void ceiling(RunInfo info) throws Exception {
    int[] batches = quick ? new int[] {1, 32} : headline ? new int[] {1, 8, 16, 32, 64} : new int[] {1, 8, 32};
    Duration warm = Duration.ofMillis(quick ? 500 : 1000);
    Duration measure = Duration.ofMillis(quick ? 1500 : tokens > 64 ? 4000 : 3000);
    System.out.printf("%s: in-process ceiling%n", name);
    try (OrtCeiling ort = new OrtCeiling(BenchRepository.minilmModelFile(info.root()))) {
      sessionOptions = ort.describeOptions();
      ceilingRuns.addAll(ort.sweep(Payloads.minilmModelOnly(tokens), batches, warm, measure));
    }
  }

  @Override
  public void ceilingAgain(RunInfo info) throws Exception {
    Optional<OrtCeiling.BatchRun> best = best();
    if (best.isEmpty()) {
      return;
    }
    System.out.printf("%s: in-process ceiling again, at batch %d%n", name, best.get().batch());
    try (OrtCeiling ort = new OrtCeiling(BenchRepository.minilmModelFile(info.root()))) {
      ceilingRunsAfter.addAll(ort.sweep(Payloads.minilmModelOnly(tokens), new int[] {best.get().batch()},
          Duration.ofMillis(quick ? 500 : 1000), Duration.ofMillis(quick ? 1500 : 3000)));
    }
  }

  double ceiling() {
    return best().map(OrtCeiling.BatchRun::itemsPerSecond).orElse(Double.NaN);
  }

  private Optional<OrtCeiling.BatchRun> best() {
    return java.util.stream.Stream.concat(ceilingRuns.stream(), ceilingRunsAfter.stream())
        .max(Comparator.comparingDouble(OrtCeiling.BatchRun::itemsPerSecond));
  }

  @Override
  public void warmUp(Runner r, RunInfo info) {
    Duration each = Duration.ofSeconds(info.quick() ? 1 : 2);
    r.warmUp(BATCHED, payload, HEADLINE_CONCURRENCY, each);
    r.warmUp(UNBATCHED, payload, HEADLINE_CONCURRENCY, each);
  }

  @Override
  public void standalone(Runner r) {
    System.out.printf("%s: %s%n", name, r.deployment().name());
    int c = HEADLINE_CONCURRENCY;
    int[] sweepOn = quick ? new int[] {c} : headline ? new int[] {1, 8, c, 64} : new int[] {1, c};
    int[] sweepOff = quick || !headline ? new int[] {c} : new int[] {1, 8, c};
    for (int n : sweepOn) {
      points.add(r.closed(BATCHED, ON, Protocol.REST_JSON, payload, n));
    }
    for (int n : sweepOff) {
      points.add(r.closed(UNBATCHED, OFF, Protocol.REST_JSON, payload, n));
    }
    points.add(r.closed(BATCHED, ON, Protocol.REST_BINARY, payload, c));
    points.add(r.closed(BATCHED, ON, Protocol.GRPC, payload, c));
    if (!quick && headline) {
      points.add(r.closed(UNBATCHED, OFF, Protocol.REST_BINARY, payload, c));
      points.add(r.closed(UNBATCHED, OFF, Protocol.GRPC, payload, c));
      // open loop at fractions of what the closed loop sustained: latency under a load that does not wait
      Optional<Point> headlinePoint = find(r.deployment().name(), Protocol.REST_JSON, ON, "closed c=" + c);
      double sustained = headlinePoint.map(p -> p.result().requestsPerSecond()).orElse(0.0);
      if (sustained > 10) {
        for (double f : new double[] {0.25, 0.5, 0.8}) {
          points.add(r.open(BATCHED, ON, Protocol.REST_JSON, payload, Math.floor(sustained * f)));
        }
      }
    }
  }

  @Override
  public boolean needsCluster() {
    return headline;
  }

  @Override
  public void cluster(Runner r) {
    System.out.printf("%s: %s%n", name, r.deployment().name());
    int c = HEADLINE_CONCURRENCY;
    if (!quick) {
      points.add(r.closed(BATCHED, ON, Protocol.REST_JSON, payload, 8));
    }
    points.add(r.closed(BATCHED, ON, Protocol.REST_JSON, payload, c));
    points.add(r.closed(UNBATCHED, OFF, Protocol.REST_JSON, payload, c));
    if (!quick) {
      points.add(r.closed(BATCHED, ON, Protocol.GRPC, payload, c));
    }
  }

  private Optional<Point> find(String deployment, Protocol protocol, String batching, String load) {
    return points.stream().filter(p -> p.is(deployment, protocol, batching, load)).findFirst();
  }

  private double seqPerSec(String deployment, String batching) {
    return find(deployment, Protocol.REST_JSON, batching, "closed c=" + HEADLINE_CONCURRENCY)
        .map(p -> p.result().itemsPerSecond()).orElse(Double.NaN);
  }

  List<Goal> goals() {
    if (!headline) {
      return List.of();
    }
    double ceiling = ceiling();
    double on = seqPerSec("standalone", ON);
    double off = seqPerSec("standalone", OFF);
    List<Goal> goals = new ArrayList<>();
    double ratio = on / ceiling;
    goals.add(new Goal(name, "REST JSON, c = 32, standalone ≥ 0.8 × in-process ceiling",
        Fmt.ratio(ratio) + " × (" + Fmt.num(on, 0) + " / " + Fmt.num(ceiling, 0) + " seq/s)",
        Double.isNaN(ratio) ? null : ratio >= 0.8));
    double speedup = on / off;
    goals.add(new Goal(name, "batching on ≥ 2 × batching off (REST JSON, c = 32, standalone)",
        Fmt.ratio(speedup) + " × (" + Fmt.num(on, 0) + " / " + Fmt.num(off, 0) + " seq/s)",
        Double.isNaN(speedup) ? null : speedup >= 2));
    return goals;
  }

  @Override
  public List<Goal> write(Path results, RunInfo info) throws java.io.IOException {
    double ceiling = ceiling();
    StringBuilder md = new StringBuilder(Reports.header(name + ": all-MiniLM-L6-v2, " + tokens + "-token inputs",
        info, "Each request is one sequence: `input_ids`, `attention_mask`, `token_type_ids` INT64 [1, " + tokens
            + "], asking for the pooled `embedding` output (384 FP32). Batching on: model `" + BATCHED
            + "` (`max_batch_size: 32`, `dynamic_batching: {max_queue_delay_microseconds: 0, max_queue_size: 256}`); "
            + "off: `" + UNBATCHED + "` (`max_batch_size: 32`, no `dynamic_batching`): the same model file. "
            + "Closed loop: c requests in flight; open loop: a fixed rate, latency from each request's intended "
            + "start. \"vs in-process\" is sequences/s over the ceiling's best."));
    md.append("\n## Ceiling: in-process ONNX Runtime\n\nThe same model file in the bench's JVM with the worker's "
        + "session options (").append(sessionOptions).append("), the input tensors made once, runs back to "
        + "back, no server running.\n\n");
    Table ceilingTable = new Table(List.of("<when", "batch", "seq/s", "run p50 ms"));
    ceilingRuns.forEach(c -> ceilingTable.add(List.of("before the servers", Integer.toString(c.batch()),
        Fmt.num(c.itemsPerSecond(), 1), Fmt.ms(c.p50Millis()))));
    ceilingRunsAfter.forEach(c -> ceilingTable.add(List.of("after the servers", Integer.toString(c.batch()),
        Fmt.num(c.itemsPerSecond(), 1), Fmt.ms(c.p50Millis()))));
    md.append(ceilingTable.markdown());
    best().ifPresent(b -> md.append("\nCeiling: **").append(Fmt.num(b.itemsPerSecond(), 0))
        .append(" seq/s** at batch ").append(b.batch()).append(" (the best of both; a large difference "
            + "between before and after means the machine's load changed during the run).\n"));
    md.append("\n## Through maas\n\n");
    Table table = Reports.points(points, p -> Fmt.ratio(p.result().itemsPerSecond() / ceiling) + " ×");
    md.append(table.markdown());
    md.append(Reports.LEGEND).append(Reports.failures(points))
        .append(Reports.allocationSources(points));
    double standalone = seqPerSec("standalone", ON);
    double cluster = seqPerSec("1 gateway + 2 workers", ON);
    if (!Double.isNaN(cluster)) {
      md.append("\n1 gateway + 2 workers vs standalone (REST JSON, batching on, c = 32): ")
          .append(Fmt.ratio(cluster / standalone)).append(" × (").append(Fmt.num(cluster, 0)).append(" / ")
          .append(Fmt.num(standalone, 0)).append(" seq/s). On 2 cores the two workers share the cores the "
              + "standalone node had to itself, and every request crosses the event bus between JVMs.\n");
    }
    List<Goal> goals = goals();
    if (!goals.isEmpty()) {
      md.append("\n## Goals\n\n").append(Reports.goals(goals).markdown());
    } else {
      md.append("\nBatching on vs off (REST JSON, c = 32, standalone): ")
          .append(Fmt.ratio(seqPerSec("standalone", ON) / seqPerSec("standalone", OFF))).append(" ×; REST JSON "
              + "c = 32 vs ceiling: ").append(Fmt.ratio(seqPerSec("standalone", ON) / ceiling)).append(" ×.\n");
    }
    md.append("\n![latency against throughput](").append(name).append(".svg)\n\n`").append(name)
        .append(".csv` holds the table above.\n");
    Reports.write(results, name, md.toString(), table,
        Reports.plot(name + ": latency against throughput (ceiling " + Fmt.num(ceiling, 0) + " seq/s)", points,
            ceiling));
    return goals;
  }
}
