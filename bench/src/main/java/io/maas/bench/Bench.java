package io.maas.bench;

import io.maas.bench.load.LoadGenerator;
import io.maas.bench.report.Goal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code java -jar bench/target/maas-bench.jar [--quick] [minilm-16] [minilm-128] [simple] [sim-scaling] [hedging]
 * [lifecycle] [placement] [fairness] [tls]},
 * from the repository root. Without a scenario it runs minilm-16, minilm-128 and simple (about 11 minutes
 * here) and writes bench/results/README.md, the index; with scenarios it runs those only. {@code --quick}
 * runs fewer, shorter points: a check that everything works, not a measurement. {@code sim-scaling} runs
 * {@link SimScaling} (its own processes, about 2.5 minutes), {@code hedging} {@link HedgingBench} (hedging off
 * against on, its own processes, about 2.5 minutes), {@code lifecycle} {@link LifecycleBench} (MiniLM load/unload
 * cycles and first requests with and without warmup, its own processes, a few minutes), {@code placement}
 * {@link PlacementBench} (resource-aware placement on simulated workers: a Zipf pool, a worker added, a canary; its
 * own processes, about 4 minutes; honours {@code --quick}), {@code fairness} {@link FairnessBench} (issue 14's
 * overload goals on a sim and a MiniLM node: fair shares, weights, priority, disconnects, queue timeouts; its own
 * processes, about 3 minutes), {@code tls} {@link TlsBench} (issue 15's TLS cost: a plaintext and a TLS node,
 * simple and MiniLM over REST and gRPC at c = 32 in interleaved rounds; its own processes, about 3.5 minutes;
 * honours {@code --quick}).
 *
 * <p>Order: every in-process ceiling first (no server running), then two standalone nodes (API keys on,
 * the default, and off) for every scenario's standalone part, then one cluster of two workers and four
 * gateways (two with keys, two without) for the parts on 1 and 2 gateways; points that compare keys on
 * and off run on both twins in turns ({@link SideBySide}).
 */
public final class Bench {
  static final List<String> SCENARIOS = List.of("minilm-16", "minilm-128", "simple");
  static final Duration START = Duration.ofSeconds(180);

  private Bench() {}

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Set<String> selected = new LinkedHashSet<>();
    for (String a : args) {
      switch (a) {
        case "--quick" -> quick = true;
        case "sim-scaling", "hedging", "lifecycle", "placement", "fairness", "tls", "minilm-16", "minilm-128",
            "simple" -> selected.add(a);
        case "all" -> selected.addAll(SCENARIOS);
        default -> {
          System.err.println("usage: java -jar bench/target/maas-bench.jar [--quick] [all|minilm-16|minilm-128|"
              + "simple|sim-scaling|hedging|lifecycle|placement|fairness|tls]...");
          System.exit(2);
        }
      }
    }
    boolean own = false; // scenarios with processes and reports of their own
    if (selected.remove("sim-scaling")) {
      SimScaling.main(new String[0]);
      own = true;
    }
    if (selected.remove("hedging")) {
      HedgingBench.main(new String[0]);
      own = true;
    }
    if (selected.remove("lifecycle")) {
      LifecycleBench.main(new String[0]);
      own = true;
    }
    if (selected.remove("placement")) {
      PlacementBench.main(quick ? new String[] {"--quick"} : new String[0]);
      own = true;
    }
    if (selected.remove("fairness")) {
      FairnessBench.main(new String[0]);
      own = true;
    }
    if (selected.remove("tls")) {
      TlsBench.main(quick ? new String[] {"--quick"} : new String[0]);
      own = true;
    }
    if (own && selected.isEmpty()) {
      return;
    }
    boolean everything = selected.isEmpty() || selected.containsAll(SCENARIOS);
    if (selected.isEmpty()) {
      selected.addAll(SCENARIOS);
    }
    long t0 = System.nanoTime();
    Path root = Path.of(System.getProperty("maas.root", ".")).toAbsolutePath().normalize();
    Path jar = root.resolve("gateway/target/maas-gateway.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -q -pl bench -am package -DskipTests` first");
    }
    RunInfo info = RunInfo.create(root, quick, "java -jar bench/target/maas-bench.jar"
        + (args.length == 0 ? "" : " " + String.join(" ", args)));
    List<Scenario> scenarios = new ArrayList<>();
    for (String s : selected) {
      scenarios.add(switch (s) {
        case "minilm-16" -> new MiniLmScenario(16, true, quick);
        case "minilm-128" -> new MiniLmScenario(128, false, quick);
        default -> new SimpleScenario(quick);
      });
    }
    System.out.println(info.machine() + "; " + info.durations());
    for (Scenario s : scenarios) {
      s.ceiling(info);
    }
    Path work = root.resolve("bench/target/bench-run");
    Path repository = BenchRepository.create(root, work.resolve("models"));
    List<String> models = scenarios.stream().flatMap(s -> s.models().stream()).distinct().toList();
    try (LoadGenerator generator = new LoadGenerator()) {
      System.out.printf("starting 2 standalone nodes, auth on and off (%s)%n", elapsed(t0));
      try (StandaloneNodes nodes = StandaloneNodes.start(jar, work.resolve("standalone"), repository, models, START);
          SideBySide standalone = new SideBySide(generator, nodes.deployment(Auth.ON), nodes.deployment(Auth.OFF),
              info)) {
        runStage(Scenario.Stage.STANDALONE, standalone, scenarios, info);
      }
      if (scenarios.stream().anyMatch(s -> !EnumSet.of(Scenario.Stage.STANDALONE).containsAll(s.stages()))) {
        System.out.printf("starting %d workers and 4 gateways, 2 with auth on and 2 off (%s)%n",
            GatewayCluster.WORKERS, elapsed(t0));
        try (GatewayCluster cluster = GatewayCluster.start(jar, work.resolve("cluster"), repository, models, START);
            SideBySide one = new SideBySide(generator, cluster.oneGateway(Auth.ON), cluster.oneGateway(Auth.OFF),
                info);
            SideBySide two = new SideBySide(generator, cluster.twoGateways(Auth.ON), cluster.twoGateways(Auth.OFF),
                info)) {
          runStage(Scenario.Stage.ONE_GATEWAY, one, scenarios, info);
          runStage(Scenario.Stage.TWO_GATEWAYS, two, scenarios, info);
        }
      }
    }
    for (Scenario s : scenarios) {
      s.ceilingAgain(info);
    }
    Path results = root.resolve("bench/results");
    List<Goal> goals = new ArrayList<>();
    for (Scenario s : scenarios) {
      goals.addAll(s.write(results, info));
    }
    String took = elapsed(t0);
    if (everything) {
      Files.writeString(results.resolve("README.md"), ResultsIndex.markdown(info, scenarios.stream().map(Scenario::name)
          .toList(), goals, took));
    }
    System.out.printf("%nGoals (%s):%n", took);
    for (Goal g : goals) {
      System.out.printf("  %-7s %s: %s: %s%n", g.verdict(), g.scenario(), g.goal(), g.measured());
    }
    System.out.println("wrote " + results + (everything ? " (README.md is the index)" : ""));
  }

  /** Warms up, then runs, every scenario that has points on this stage's deployments. */
  private static void runStage(Scenario.Stage stage, SideBySide deployments, List<Scenario> scenarios, RunInfo info) {
    List<Scenario> here = scenarios.stream().filter(s -> s.stages().contains(stage)).toList();
    here.forEach(s -> s.warmUp(stage, deployments, info));
    here.forEach(s -> s.run(stage, deployments));
    for (Runner r : List.of(deployments.on(), deployments.off())) {
      System.out.printf("  allocation read (auth %s) from %s%n", r.deployment().auth().label,
          r.deployment().probe().sources());
    }
  }

  static String elapsed(long t0) {
    long s = (System.nanoTime() - t0) / 1_000_000_000L;
    return String.format("%d min %02d s", s / 60, s % 60);
  }
}
