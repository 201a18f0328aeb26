package io.maas.bench;

import io.maas.bench.load.LoadResult;
import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import io.maas.bench.report.SvgPlot;
import io.maas.bench.report.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What every scenario's report has in common: the points table, the goals table, the plot, the files. */
final class Reports {
  static final List<String> POINT_COLUMNS = List.of("<deployment", "<auth", "<protocol", "<batching", "<load", "req/s",
      "seq/s", "<vs in-process", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "failed", "alloc B/req", "server CPU",
      "generator CPU");

  static final String LEGEND = "\nLatencies from the client (the bench), HdrHistogram. \"alloc B/req\": bytes the "
      + "server's processes allocated per request served. \"server CPU\": the server processes' CPU time over the "
      + "measured window, summed (200 % = both cores of this machine). \"generator CPU\": the bench JVM's CPU "
      + "time over the load's wall time (100 % = one of the cores the server also runs on).\n";

  private Reports() {}

  static Table points(List<Point> points, Function<Point, String> versus) {
    Table t = new Table(POINT_COLUMNS);
    for (Point p : points) {
      LoadResult r = p.result();
      t.add(List.of(p.deployment(), p.auth().label, p.protocol().label, p.batching(), p.load(), Fmt.num(r.requestsPerSecond(), 1),
          Fmt.num(r.itemsPerSecond(), 1), versus.apply(p), Fmt.ms(r.millis(50)), Fmt.ms(r.millis(90)),
          Fmt.ms(r.millis(99)), Fmt.ms(r.millis(99.9)), Long.toString(r.failures()),
          Fmt.count(p.allocatedBytesPerRequest()), Fmt.num(100 * p.serverCpu(), 0) + " %",
          Fmt.num(100 * p.generatorCpu(), 0) + " %"));
    }
    return t;
  }

  /**
   * Every point measured with API keys off beside its twin with keys on (measured in turns): throughput
   * and latency of both, the ratio of throughputs and the latency keys add at p50.
   */
  static Table authComparison(List<Point> points) {
    Table t = new Table(List.of("<deployment", "<protocol", "<batching", "<load", "req/s on", "req/s off",
        "on / off", "p50 ms on", "p50 ms off", "p50 on - off µs", "p99 ms on", "p99 ms off"));
    for (Point off : points) {
      if (off.auth() != Auth.OFF) {
        continue;
      }
      points.stream().filter(p -> p.auth() == Auth.ON && p.sameLoadAs(off)).findFirst().ifPresent(on -> {
        LoadResult a = on.result();
        LoadResult b = off.result();
        t.add(List.of(on.deployment(), on.protocol().label, on.batching(), on.load(),
            Fmt.num(a.requestsPerSecond(), 1), Fmt.num(b.requestsPerSecond(), 1),
            Fmt.ratio(a.requestsPerSecond() / b.requestsPerSecond()), Fmt.ms(a.millis(50)), Fmt.ms(b.millis(50)),
            Fmt.num(a.micros(50) - b.micros(50), 0), Fmt.ms(a.millis(99)), Fmt.ms(b.millis(99))));
      });
    }
    return t;
  }

  /** The section on API keys on vs off, or nothing if no point ran with keys off. */
  static String authSection(List<Point> points) {
    Table t = authComparison(points);
    return t.size() == 0 ? "" : "\n## API keys on vs off\n\nEvery other point runs with API keys on (the default). "
        + "These ran on a twin deployment with keys off too (`gateway.auth_enabled=false`), in turns with the "
        + "keys-on one (on, off, off, on), each side's turns adding up to its point above.\n\n" + t.markdown();
  }

  static Table goals(List<Goal> goals) {
    Table t = new Table(List.of("<scenario", "<goal", "<measured", "<verdict"));
    goals.forEach(g -> t.add(List.of(g.scenario(), g.goal(), g.measured(), "**" + g.verdict() + "**")));
    return t;
  }

  /** Where the allocation figures came from, per deployment. */
  static String allocationSources(List<Point> points) {
    if (points.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\nAllocation per request read from: ");
    Map<String, String> by = new LinkedHashMap<>();
    points.forEach(p -> by.put(p.deployment() + ", auth " + p.auth().label, p.allocationSource()));
    by.forEach((d, s) -> sb.append(d).append(" ").append(s).append("; "));
    return sb.substring(0, sb.length() - 2) + ".\n";
  }

  /** Failure messages per point, for the report; empty if none failed. */
  static String failures(List<Point> points) {
    StringBuilder sb = new StringBuilder();
    for (Point p : points) {
      if (p.result().failures() > 0) {
        sb.append("- ").append(p.deployment()).append(", auth ").append(p.auth().label).append(", ")
            .append(p.protocol().label).append(", batching ")
            .append(p.batching()).append(", ").append(p.load()).append(": ").append(p.result().failures())
            .append(" failed; first: ").append(String.join(" / ", p.result().firstFailures())).append('\n');
      }
    }
    return sb.length() == 0 ? "" : "\nFailures:\n\n" + sb;
  }

  /** Latency (p50, p99) against throughput (sequences/s), one line per deployment/protocol/batching/loop. */
  static String plot(String title, List<Point> points) {
    return plot(title, points, Double.NaN);
  }

  /** The same with a dotted line at the in-process ceiling's throughput. */
  static String plot(String title, List<Point> points, double ceiling) {
    Map<String, List<SvgPlot.Point>> series = new LinkedHashMap<>();
    for (Point p : points) {
      series.computeIfAbsent(p.series(), k -> new ArrayList<>()).add(new SvgPlot.Point(
          p.result().itemsPerSecond(), p.result().millis(50), p.result().millis(99)));
    }
    SvgPlot plot = new SvgPlot(title, "throughput, sequences/s");
    series.forEach((label, pts) -> plot.add(new SvgPlot.Series(label, pts)));
    if (ceiling > 0) {
      plot.reference(ceiling, "in-process ceiling");
    }
    return plot.svg();
  }

  static String header(String title, RunInfo info, String what) {
    return "# " + title + "\n\n" + info.machine() + ". " + info.durations() + ".\n\nCommand: `" + info.command()
        + "`\n\n" + what + "\n";
  }

  static void write(Path results, String name, String markdown, Table csv, String svg) throws IOException {
    Files.createDirectories(results);
    Files.writeString(results.resolve(name + ".md"), markdown);
    Files.writeString(results.resolve(name + ".csv"), csv.csv());
    Files.writeString(results.resolve(name + ".svg"), svg);
  }
}
