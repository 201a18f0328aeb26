package io.maas.bench;

import io.maas.bench.load.LoadGenerator;
import io.maas.bench.report.Goal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code java -jar bench/target/maas-bench.jar [--quick] [minilm-16] [minilm-128] [simple] [sim-scaling]},
 * from the repository root. Without a scenario it runs minilm-16, minilm-128 and simple (about 10 minutes
 * here) and writes bench/results/README.md, the index; with scenarios it runs those only. {@code --quick}
 * runs fewer, shorter points: a check that everything works, not a measurement. {@code sim-scaling} runs
 * {@link SimScaling} (its own processes, about 2.5 minutes).
 *
 * <p>Order: every in-process ceiling first (no server running), then one standalone node for every
 * scenario's standalone part, then one gateway with two worker processes for the cluster parts.
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
        case "sim-scaling", "minilm-16", "minilm-128", "simple" -> selected.add(a);
        case "all" -> selected.addAll(SCENARIOS);
        default -> {
          System.err.println("usage: java -jar bench/target/maas-bench.jar [--quick] [all|minilm-16|minilm-128|"
              + "simple|sim-scaling]...");
          System.exit(2);
        }
      }
    }
    if (selected.remove("sim-scaling")) {
      SimScaling.main(new String[0]);
      if (selected.isEmpty()) {
        return;
      }
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
      System.out.printf("starting a standalone node (%s)%n", elapsed(t0));
      try (Deployment d = Deployment.standalone(jar, work.resolve("standalone"), repository, models, START);
          Runner runner = new Runner(generator, d, info.warmUp(), info.measure())) {
        scenarios.forEach(s -> s.warmUp(runner, info));
        scenarios.forEach(s -> s.standalone(runner));
        System.out.println("  allocation read from " + d.probe().sources());
      }
      if (scenarios.stream().anyMatch(Scenario::needsCluster)) {
        System.out.printf("starting 1 gateway + 2 workers (%s)%n", elapsed(t0));
        try (Deployment d = Deployment.gatewayAndWorkers(jar, work.resolve("cluster"), repository, 2, models, START);
            Runner runner = new Runner(generator, d, info.warmUp(), info.measure())) {
          List<Scenario> clustered = scenarios.stream().filter(Scenario::needsCluster).toList();
          clustered.forEach(s -> s.warmUp(runner, info));
          clustered.forEach(s -> s.cluster(runner));
          System.out.println("  allocation read from " + d.probe().sources());
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

  static String elapsed(long t0) {
    long s = (System.nanoTime() - t0) / 1_000_000_000L;
    return String.format("%d min %02d s", s / 60, s % 60);
  }
}
