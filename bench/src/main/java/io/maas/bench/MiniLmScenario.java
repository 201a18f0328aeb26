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
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * all-MiniLM-L6-v2 with fixed-length token inputs: the in-process ceiling (best sequences/s over a batch
 * sweep), then the same request through the gateway over REST JSON (the concurrency sweep), REST binary
 * and gRPC, batching on and off, an open-loop rate sweep, and (16 tokens) 1 and 2 gateways + 2 workers;
 * (16 tokens) batching on at c = 32 with API keys on and off side by side.
 */
final class MiniLmScenario implements Scenario {
  static final String ON = "on";
  static final String OFF = "off";
  static final int HEADLINE_CONCURRENCY = 32;
  /** Keys on must keep this share of keys off's sequences/s (batching on, c = 32). */
  static final double AUTH_THROUGHPUT_RATIO = 0.97;

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
   *     open-loop sweep, keys on and off side by side, the cluster parts)
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
  public Set<Stage> stages() {
    return headline ? EnumSet.allOf(Stage.class) : EnumSet.of(Stage.STANDALONE);
  }

  /** The protocols whose batching-on c = 32 point runs with keys on and off: over gRPC too standalone. */
  private List<Protocol> paired(Stage stage) {
    return !headline ? List.of() : stage == Stage.STANDALONE ? List.of(Protocol.REST_JSON, Protocol.GRPC)
        : List.of(Protocol.REST_JSON);
  }

  @Override
  public void warmUp(Stage stage, SideBySide s, RunInfo info) {
    Duration each = Duration.ofSeconds(info.quick() ? 1 : 2);
    int c = HEADLINE_CONCURRENCY;
    switch (stage) {
      case STANDALONE -> {
        s.on().warmUp(BATCHED, payload, c, each, List.of(Protocol.values()));
        s.on().warmUp(UNBATCHED, payload, c, each, List.of(Protocol.values()));
      }
      case ONE_GATEWAY -> {
        s.on().warmUp(BATCHED, payload, c, each, quick ? List.of(Protocol.REST_JSON)
            : List.of(Protocol.REST_JSON, Protocol.GRPC));
        s.on().warmUp(UNBATCHED, payload, c, each, List.of(Protocol.REST_JSON));
      }
      case TWO_GATEWAYS -> s.on().warmUp(BATCHED, payload, c, each, paired(stage));
    }
    if (!paired(stage).isEmpty()) {
      s.off().warmUp(BATCHED, payload, c, each, paired(stage));
    }
  }

  @Override
  public void run(Stage stage, SideBySide s) {
    System.out.printf("%s: %s%n", name, s.name());
    switch (stage) {
      case STANDALONE -> standalone(s);
      case ONE_GATEWAY -> oneGateway(s);
      case TWO_GATEWAYS -> headlinePoint(s, Protocol.REST_JSON);
    }
  }

  /** Batching on, c = 32: with keys on and off in turns where a goal compares them, else keys on only. */
  private void headlinePoint(SideBySide s, Protocol protocol) {
    if (headline) {
      points.addAll(s.closed(BATCHED, ON, protocol, payload, HEADLINE_CONCURRENCY));
    } else {
      points.add(s.on().closed(BATCHED, ON, protocol, payload, HEADLINE_CONCURRENCY));
    }
  }

  private void standalone(SideBySide s) {
    Runner r = s.on();
    int c = HEADLINE_CONCURRENCY;
    int[] sweepOn = quick ? new int[] {c} : headline ? new int[] {1, 8, c, 64} : new int[] {1, c};
    int[] sweepOff = quick || !headline ? new int[] {c} : new int[] {1, 8, c};
    for (int n : sweepOn) {
      if (n == c) {
        headlinePoint(s, Protocol.REST_JSON);
      } else {
        points.add(r.closed(BATCHED, ON, Protocol.REST_JSON, payload, n));
      }
    }
    for (int n : sweepOff) {
      points.add(r.closed(UNBATCHED, OFF, Protocol.REST_JSON, payload, n));
    }
    points.add(r.closed(BATCHED, ON, Protocol.REST_BINARY, payload, c));
    headlinePoint(s, Protocol.GRPC);
    if (!quick && headline) {
      points.add(r.closed(UNBATCHED, OFF, Protocol.REST_BINARY, payload, c));
      points.add(r.closed(UNBATCHED, OFF, Protocol.GRPC, payload, c));
      // open loop at fractions of what the closed loop sustained: latency under a load that does not wait
      double sustained = find(Stage.STANDALONE, Auth.ON, Protocol.REST_JSON, ON)
          .map(p -> p.result().requestsPerSecond()).orElse(0.0);
      if (sustained > 10) {
        for (double f : new double[] {0.25, 0.5, 0.8}) {
          points.add(r.open(BATCHED, ON, Protocol.REST_JSON, payload, Math.floor(sustained * f)));
        }
      }
    }
  }

  private void oneGateway(SideBySide s) {
    Runner r = s.on();
    int c = HEADLINE_CONCURRENCY;
    if (!quick) {
      points.add(r.closed(BATCHED, ON, Protocol.REST_JSON, payload, 8));
    }
    headlinePoint(s, Protocol.REST_JSON);
    points.add(r.closed(UNBATCHED, OFF, Protocol.REST_JSON, payload, c));
    if (!quick) {
      points.add(r.closed(BATCHED, ON, Protocol.GRPC, payload, c));
    }
  }

  /** The closed-loop point at c = 32 of this deployment, keys, protocol and batching. */
  private Optional<Point> find(Stage stage, Auth auth, Protocol protocol, String batching) {
    return AuthGoals.find(points, stage.deployment, auth, protocol, batching, "closed c=" + HEADLINE_CONCURRENCY);
  }

  private double seqPerSec(Stage stage, Auth auth, Protocol protocol, String batching) {
    return find(stage, auth, protocol, batching).map(p -> p.result().itemsPerSecond()).orElse(Double.NaN);
  }

  /** REST JSON, c = 32, keys on (the default). */
  private double seqPerSec(Stage stage, String batching) {
    return seqPerSec(stage, Auth.ON, Protocol.REST_JSON, batching);
  }

  List<Goal> goals() {
    if (!headline) {
      return List.of();
    }
    double ceiling = ceiling();
    double on = seqPerSec(Stage.STANDALONE, ON);
    double off = seqPerSec(Stage.STANDALONE, OFF);
    List<Goal> goals = new ArrayList<>();
    double ratio = on / ceiling;
    goals.add(new Goal(name, "REST JSON, c = 32, standalone, auth on ≥ 0.8 × in-process ceiling",
        Fmt.ratio(ratio) + " × (" + Fmt.num(on, 0) + " / " + Fmt.num(ceiling, 0) + " seq/s)",
        Double.isNaN(ratio) ? null : ratio >= 0.8));
    double speedup = on / off;
    goals.add(new Goal(name, "batching on ≥ 2 × batching off (REST JSON, c = 32, standalone, auth on)",
        Fmt.ratio(speedup) + " × (" + Fmt.num(on, 0) + " / " + Fmt.num(off, 0) + " seq/s)",
        Double.isNaN(speedup) ? null : speedup >= 2));
    for (Stage stage : Stage.values()) {
      for (Protocol p : paired(stage)) {
        goals.add(AuthGoals.throughput(name, p.title + ", c = " + HEADLINE_CONCURRENCY + ", " + stage.deployment,
            seqPerSec(stage, Auth.ON, p, ON), seqPerSec(stage, Auth.OFF, p, ON), AUTH_THROUGHPUT_RATIO, "seq/s"));
      }
    }
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
            + "start. \"vs in-process\" is sequences/s over the ceiling's best. \"auth\": whether the gateways "
            + "checked API keys (on: the default, with a key whose limit is never reached)."));
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
        .append(Reports.allocationSources(points)).append(Reports.authSection(points));
    double standalone = seqPerSec(Stage.STANDALONE, ON);
    double cluster = seqPerSec(Stage.ONE_GATEWAY, ON);
    if (!Double.isNaN(cluster)) {
      md.append("\n1 gateway + 2 workers vs standalone (REST JSON, batching on, c = 32, auth on): ")
          .append(Fmt.ratio(cluster / standalone)).append(" × (").append(Fmt.num(cluster, 0)).append(" / ")
          .append(Fmt.num(standalone, 0)).append(" seq/s). On 2 cores the two workers share the cores the "
              + "standalone node had to itself, and every request crosses the event bus between JVMs.\n");
    }
    List<Goal> goals = goals();
    if (!goals.isEmpty()) {
      md.append("\n## Goals\n\n").append(Reports.goals(goals).markdown());
    } else {
      md.append("\nBatching on vs off (REST JSON, c = 32, standalone, auth on): ")
          .append(Fmt.ratio(standalone / seqPerSec(Stage.STANDALONE, OFF))).append(" ×; REST JSON "
              + "c = 32 vs ceiling: ").append(Fmt.ratio(standalone / ceiling)).append(" ×.\n");
    }
    md.append("\n![latency against throughput](").append(name).append(".svg)\n\n`").append(name)
        .append(".csv` holds the table above.\n");
    Reports.write(results, name, md.toString(), table,
        Reports.plot(name + ": latency against throughput (ceiling " + Fmt.num(ceiling, 0) + " seq/s)", points,
            ceiling));
    return goals;
  }
}
