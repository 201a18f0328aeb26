package io.maas.bench;

import io.maas.bench.load.InferPayload;
import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import io.maas.bench.report.Table;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The small model {@code simple} (INT32 [1, 16] x 2): what maas adds to one call. The in-process p50 of
 * one ONNX Runtime call in the bench's JVM against the gateway's p50 at c = 1, standalone and across JVMs
 * (1 gateway + 2 workers), over each protocol; and what API keys add: c = 1 and c = 32 with keys on and off
 * side by side (REST JSON and gRPC standalone, REST JSON on 1 and 2 gateways + 2 workers).
 */
final class SimpleScenario implements Scenario {
  static final String NAME = "simple";
  static final double STANDALONE_BUDGET_MICROS = 150;
  static final double CLUSTER_BUDGET_MICROS = 400;
  /** Keys on must keep this share of keys off's requests/s at c = {@link #THROUGHPUT_CONCURRENCY}. */
  static final double AUTH_THROUGHPUT_RATIO = 0.90;
  /** Keys on may add this much to the p50 of keys off at c = 1. */
  static final double AUTH_LATENCY_BUDGET_MICROS = 50;
  static final int THROUGHPUT_CONCURRENCY = 32;

  private final boolean quick;
  private final InferPayload payload = Payloads.simple();
  private final List<Point> points = new ArrayList<>();
  private Histogram inProcess;
  private Histogram inProcessAfter;
  private String sessionOptions = "";

  SimpleScenario(boolean quick) {
    this.quick = quick;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> models() {
    return List.of(BenchRepository.SIMPLE);
  }

  @Override
  public void ceiling(RunInfo info) throws Exception {
    System.out.printf("%s: in-process call latency%n", NAME);
    try (OrtCeiling ort = new OrtCeiling(BenchRepository.simpleModelFile(info.root()))) {
      sessionOptions = ort.describeOptions();
      inProcess = ort.callLatency(payload, Duration.ofSeconds(1), Duration.ofSeconds(quick ? 1 : 3));
    }
    System.out.printf("  in-process p50 %.1f µs, p99 %.1f µs%n", inProcessMicros(50), inProcessMicros(99));
  }

  @Override
  public void ceilingAgain(RunInfo info) throws Exception {
    System.out.printf("%s: in-process call latency again%n", NAME);
    try (OrtCeiling ort = new OrtCeiling(BenchRepository.simpleModelFile(info.root()))) {
      inProcessAfter = ort.callLatency(payload, Duration.ofSeconds(1), Duration.ofSeconds(quick ? 1 : 3));
    }
    System.out.printf("  in-process p50 %.1f µs, p99 %.1f µs%n", micros(inProcessAfter, 50),
        micros(inProcessAfter, 99));
  }

  private static double micros(Histogram h, double percentile) {
    return h == null ? Double.NaN : h.getValueAtPercentile(percentile);
  }

  /** The faster of the two in-process measurements (before and after the servers) at this percentile. */
  private double inProcessMicros(double percentile) {
    double before = micros(inProcess, percentile);
    double after = micros(inProcessAfter, percentile);
    return Double.isNaN(after) ? before : Double.isNaN(before) ? after : Math.min(before, after);
  }

  @Override
  public Set<Stage> stages() {
    return EnumSet.allOf(Stage.class);
  }

  /** The protocols whose points run with keys on and off: over gRPC too on the standalone node. */
  private static List<Protocol> paired(Stage stage) {
    return stage == Stage.STANDALONE ? List.of(Protocol.REST_JSON, Protocol.GRPC) : List.of(Protocol.REST_JSON);
  }

  @Override
  public void warmUp(Stage stage, SideBySide s, RunInfo info) {
    Duration each = Duration.ofSeconds(info.quick() ? 1 : 2);
    s.on().warmUp(BenchRepository.SIMPLE, payload, 4, each,
        stage == Stage.TWO_GATEWAYS ? paired(stage) : List.of(Protocol.values()));
    s.off().warmUp(BenchRepository.SIMPLE, payload, 4, each, paired(stage));
  }

  @Override
  public void run(Stage stage, SideBySide s) {
    System.out.printf("%s: %s%n", NAME, s.name());
    for (Protocol p : paired(stage)) {
      points.addAll(s.closed(BenchRepository.SIMPLE, "off", p, payload, 1));
    }
    if (stage == Stage.STANDALONE) {
      points.add(s.on().closed(BenchRepository.SIMPLE, "off", Protocol.REST_BINARY, payload, 1));
      if (!quick) {
        points.add(s.on().closed(BenchRepository.SIMPLE, "off", Protocol.REST_JSON, payload, 8));
      }
    } else if (stage == Stage.ONE_GATEWAY) {
      points.add(s.on().closed(BenchRepository.SIMPLE, "off", Protocol.GRPC, payload, 1));
      if (!quick) {
        points.add(s.on().closed(BenchRepository.SIMPLE, "off", Protocol.REST_BINARY, payload, 1));
      }
    }
    for (Protocol p : paired(stage)) {
      points.addAll(s.closed(BenchRepository.SIMPLE, "off", p, payload, THROUGHPUT_CONCURRENCY));
    }
  }

  private Optional<Point> find(Stage stage, Auth auth, Protocol protocol, int concurrency) {
    return AuthGoals.find(points, stage.deployment, auth, protocol, "off", "closed c=" + concurrency);
  }

  private double p50Micros(Stage stage, Auth auth, Protocol protocol) {
    return find(stage, auth, protocol, 1).map(p -> p.result().micros(50)).orElse(Double.NaN);
  }

  private double requestsPerSecond(Stage stage, Auth auth, Protocol protocol) {
    return find(stage, auth, protocol, THROUGHPUT_CONCURRENCY).map(p -> p.result().requestsPerSecond())
        .orElse(Double.NaN);
  }

  /** The gateway (keys on, the default) against one in-process call. */
  private Goal inProcessGoal(Stage stage, double budget) {
    double base = inProcessMicros(50);
    double p50 = p50Micros(stage, Auth.ON, Protocol.REST_JSON);
    double added = p50 - base;
    return new Goal(NAME, "REST JSON c = 1, " + stage.deployment + ", auth on: gateway p50 ≤ in-process p50 + "
        + (int) budget + " µs", "+" + Fmt.num(added, 0) + " µs (" + Fmt.num(p50, 0) + " vs " + Fmt.num(base, 0)
        + " µs)", Double.isNaN(added) ? null : added <= budget);
  }

  List<Goal> goals() {
    List<Goal> goals = new ArrayList<>(List.of(inProcessGoal(Stage.STANDALONE, STANDALONE_BUDGET_MICROS),
        inProcessGoal(Stage.ONE_GATEWAY, CLUSTER_BUDGET_MICROS)));
    for (Stage stage : Stage.values()) {
      for (Protocol p : paired(stage)) {
        String point = p.title + ", c = " + THROUGHPUT_CONCURRENCY + ", " + stage.deployment;
        goals.add(AuthGoals.throughput(NAME, point, requestsPerSecond(stage, Auth.ON, p),
            requestsPerSecond(stage, Auth.OFF, p), AUTH_THROUGHPUT_RATIO, "req/s"));
        goals.add(AuthGoals.latency(NAME, p.title + ", c = 1, " + stage.deployment, p50Micros(stage, Auth.ON, p),
            p50Micros(stage, Auth.OFF, p), AUTH_LATENCY_BUDGET_MICROS));
      }
    }
    return goals;
  }

  @Override
  public List<Goal> write(Path results, RunInfo info) throws java.io.IOException {
    double base = inProcessMicros(50);
    StringBuilder md = new StringBuilder(Reports.header("simple: what maas adds to one small call", info,
        "Triton's `simple` model (OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1), INT32 [1, 16] x 2, both "
            + "outputs returned. \"vs in-process\" is the gateway's p50 minus the in-process p50. \"auth\": whether "
            + "the gateways checked API keys (on: the default, with a key whose limit is never reached)."));
    md.append("\n## In-process: one ONNX Runtime call in the bench's JVM\n\nSession options: ")
        .append(sessionOptions).append("; per call: input tensors made from the arrays, the run, both outputs "
            + "read, everything closed.\n\n");
    Table in = new Table(List.of("<when", "p50 µs", "p90 µs", "p99 µs", "calls"));
    for (Histogram h : new Histogram[] {inProcess, inProcessAfter}) {
      if (h != null) {
        in.add(List.of(h == inProcess ? "before the servers" : "after the servers", Fmt.num(micros(h, 50), 1),
            Fmt.num(micros(h, 90), 1), Fmt.num(micros(h, 99), 1), Long.toString(h.getTotalCount())));
      }
    }
    md.append(in.markdown()).append("\nIn-process p50: **").append(Fmt.num(base, 1))
        .append(" µs** (the faster of the two).\n");
    md.append("\n## Through maas\n\n");
    Table table = Reports.points(points, p -> p.load().equals("closed c=1")
        ? "+" + Fmt.num(p.result().micros(50) - base, 0) + " µs p50" : "");
    md.append(table.markdown()).append(Reports.LEGEND).append(Reports.failures(points))
        .append(Reports.allocationSources(points)).append(Reports.authSection(points));
    md.append("\n## Goals\n\n").append(Reports.goals(goals()).markdown());
    md.append("\n![latency against throughput](simple.svg)\n\n`simple.csv` holds the table above.\n");
    Reports.write(results, NAME, md.toString(), table,
        Reports.plot("simple: latency against throughput (in-process p50 " + Fmt.num(base, 0) + " µs)", points));
    return goals();
  }
}
