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
  static final List<String> POINT_COLUMNS = List.of("<deployment", "<protocol", "<batching", "<load", "req/s",
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
      t.add(List.of(p.deployment(), p.protocol().label, p.batching(), p.load(), Fmt.num(r.requestsPerSecond(), 1),
          Fmt.num(r.itemsPerSecond(), 1), versus.apply(p), Fmt.ms(r.millis(50)), Fmt.ms(r.millis(90)),
          Fmt.ms(r.millis(99)), Fmt.ms(r.millis(99.9)), Long.toString(r.failures()),
          Fmt.count(p.allocatedBytesPerRequest()), Fmt.num(100 * p.serverCpu(), 0) + " %",
          Fmt.num(100 * p.generatorCpu(), 0) + " %"));
    }
    return t;
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
    points.forEach(p -> by.put(p.deployment(), p.allocationSource()));
    by.forEach((d, s) -> sb.append(d).append(" ").append(s).append("; "));
    return sb.substring(0, sb.length() - 2) + ".\n";
  }

  /** Failure messages per point, for the report; empty if none failed. */
  static String failures(List<Point> points) {
    StringBuilder sb = new StringBuilder();
    for (Point p : points) {
      if (p.result().failures() > 0) {
        sb.append("- ").append(p.deployment()).append(", ").append(p.protocol().label).append(", batching ")
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
