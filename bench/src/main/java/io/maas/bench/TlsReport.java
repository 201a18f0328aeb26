package io.maas.bench;

import io.maas.bench.load.LoadResult;
import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import io.maas.bench.report.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The tables and goals of {@link TlsBench}: for each pair (a model over a protocol) the plaintext node's turns
 * against the TLS node's, round by round, and issue 15's goal: TLS ≥ {@value #MIN_RATIO} × plaintext (requests/s).
 */
final class TlsReport {
  /** TLS must keep this share of plaintext's requests/s, pair by pair. */
  static final double MIN_RATIO = 0.85;

  enum Side {
    PLAINTEXT("plaintext"),
    TLS("TLS");

    final String label;

    Side(String label) {
      this.label = label;
    }
  }

  private TlsReport() {}

  /**
   * The order of one round's two turns: plaintext first in even rounds, TLS first in odd ones, so that over an even
   * number of rounds each side goes first as often as the other.
   */
  static List<Side> order(int round) {
    return round % 2 == 0 ? List.of(Side.PLAINTEXT, Side.TLS) : List.of(Side.TLS, Side.PLAINTEXT);
  }

  /**
   * One measured turn of one side.
   *
   * @param pair the pair's label: its model and protocol ("simple, REST JSON")
   * @param load what the clients saw in the window
   * @param serverCpuNanos the node's CPU time over the window (its last answers included)
   * @param generatorCpuNanos the bench JVM's CPU time over the same
   * @param opened connections the transport opened before its window (its warm-up: one handshake each with TLS)
   * @param openedInWindow connections it opened during its window: 0 when it reused its connections throughout
   * @param serverOpen the connections open on the node's port at the window's end, by the node's own gauge
   *     ({@code maas_gateway_connections_open}); -1 when not read
   * @param session the TLS protocol and cipher suite the client's connections negotiated; empty: plaintext
   */
  record Turn(String pair, Side side, int round, LoadResult load, double serverCpuNanos, double generatorCpuNanos,
      long opened, long openedInWindow, long serverOpen, String session) {
    double throughput() {
      return load.requestsPerSecond();
    }

    String summary() {
      return String.format(Locale.ROOT, "%s, round %d, %s: %.1f req/s, p50 %.3f ms, p99 %.3f ms, %d failed, "
              + "server %.0f µs CPU/req, %d connections (%d opened in the window, %d open on the node)", pair,
          round + 1, side.label, throughput(), load.millis(50), load.millis(99), load.failures(),
          perRequestMicros(serverCpuNanos, load), opened, openedInWindow, serverOpen);
    }
  }

  /** CPU time per request answered from the window's start, in µs; NaN when nothing was answered. */
  static double perRequestMicros(double cpuNanos, LoadResult load) {
    return load.completedSinceStart() == 0 ? Double.NaN : cpuNanos / 1000.0 / load.completedSinceStart();
  }

  /** The middle value (the mean of the two middle ones for an even count); NaN for none. */
  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** One side of one pair: its turns' throughputs and their median, its latencies merged, its costs summed. */
  record SideSummary(Side side, List<Double> throughputs, LoadResult merged, double serverCpuNanos,
      double generatorCpuNanos, List<Long> opened, long openedInWindows, List<Long> serverOpen) {
    static SideSummary of(Side side, List<Turn> turns) {
      LoadResult merged = null;
      double server = 0;
      double generator = 0;
      long inWindows = 0;
      for (Turn t : turns) {
        merged = merged == null ? t.load() : merged.plus(t.load());
        server += t.serverCpuNanos();
        generator += t.generatorCpuNanos();
        inWindows += t.openedInWindow();
      }
      return new SideSummary(side, turns.stream().map(Turn::throughput).toList(), merged, server, generator,
          turns.stream().map(Turn::opened).distinct().sorted().toList(), inWindows,
          turns.stream().map(Turn::serverOpen).distinct().sorted().toList());
    }

    double medianThroughput() {
      return median(throughputs);
    }

    double serverMicrosPerRequest() {
      return merged == null ? Double.NaN : perRequestMicros(serverCpuNanos, merged);
    }

    double generatorMicrosPerRequest() {
      return merged == null ? Double.NaN : perRequestMicros(generatorCpuNanos, merged);
    }

    long failures() {
      return merged == null ? 0 : merged.failures();
    }

    double ms(double percentile) {
      return merged == null ? Double.NaN : merged.millis(percentile);
    }
  }

  /**
   * One pair, both sides.
   *
   * @param roundRatios each round's TLS req/s over its plaintext req/s, in round order (a round missing a side is
   *     left out)
   */
  record Row(String pair, SideSummary plaintext, SideSummary tls, List<Double> roundRatios) {
    /** The median of the rounds' ratios: each ratio compares two turns measured one after the other. */
    double ratio() {
      return median(roundRatios);
    }

    double minRatio() {
      return roundRatios.stream().min(Comparator.naturalOrder()).orElse(Double.NaN);
    }

    double maxRatio() {
      return roundRatios.stream().max(Comparator.naturalOrder()).orElse(Double.NaN);
    }

    /**
     * Plaintext's CPU per request over TLS's, server and client summed: the throughput ratio both sides would show if
     * they had the machine's cores to themselves and were bound by them. A cross-check that other work on the
     * machine moves less than it moves throughput.
     */
    double cpuRatio() {
      return (plaintext.serverMicrosPerRequest() + plaintext.generatorMicrosPerRequest())
          / (tls.serverMicrosPerRequest() + tls.generatorMicrosPerRequest());
    }
  }

  /** Every pair in the order first measured. */
  static List<Row> rows(List<Turn> turns) {
    List<Row> rows = new ArrayList<>();
    for (String pair : turns.stream().map(Turn::pair).distinct().toList()) {
      List<Turn> mine = turns.stream().filter(t -> t.pair().equals(pair)).toList();
      List<Double> ratios = new ArrayList<>();
      for (int round : mine.stream().map(Turn::round).distinct().sorted().toList()) {
        double plain = throughput(mine, round, Side.PLAINTEXT);
        double tls = throughput(mine, round, Side.TLS);
        if (plain > 0 && !Double.isNaN(tls)) {
          ratios.add(tls / plain);
        }
      }
      rows.add(new Row(pair, SideSummary.of(Side.PLAINTEXT, side(mine, Side.PLAINTEXT)),
          SideSummary.of(Side.TLS, side(mine, Side.TLS)), List.copyOf(ratios)));
    }
    return rows;
  }

  private static List<Turn> side(List<Turn> turns, Side side) {
    return turns.stream().filter(t -> t.side() == side).toList();
  }

  private static double throughput(List<Turn> turns, int round, Side side) {
    return turns.stream().filter(t -> t.round() == round && t.side() == side).mapToDouble(Turn::throughput)
        .findFirst().orElse(Double.NaN);
  }

  /**
   * One goal per pair: TLS ≥ 0.85 × plaintext, on the median of the rounds' ratios; not measured when a side answered
   * nothing. A pair whose requests failed on either side is judged on what succeeded, and its failures are stated.
   */
  static List<Goal> goals(List<Row> rows) {
    List<Goal> goals = new ArrayList<>();
    for (Row r : rows) {
      double ratio = r.ratio();
      boolean measured = !r.roundRatios().isEmpty() && r.plaintext().medianThroughput() > 0
          && r.tls().medianThroughput() > 0;
      long failed = r.plaintext().failures() + r.tls().failures();
      String measuredText = String.format(Locale.ROOT, "%s × (median of %d rounds, %s–%s; %s / %s req/s)%s",
          Fmt.ratio(ratio), r.roundRatios().size(), Fmt.ratio(r.minRatio()), Fmt.ratio(r.maxRatio()),
          Fmt.count(r.tls().medianThroughput()), Fmt.count(r.plaintext().medianThroughput()),
          failed == 0 ? "" : String.format(Locale.ROOT, "; %d requests failed (TLS %d, plaintext %d)", failed,
              r.tls().failures(), r.plaintext().failures()));
      goals.add(new Goal("tls, " + r.pair(), "TLS ≥ 0.85 × plaintext (requests/s, c = 32, connections reused)",
          measuredText, measured ? ratio >= MIN_RATIO : null));
    }
    return goals;
  }

  /** The side-by-side table: one line per pair, throughput and latency, and the goal's verdict. */
  static Table table(List<Row> rows) {
    Table t = new Table(List.of("<pair", "req/s plaintext", "req/s TLS", "TLS / plaintext", "rounds' range",
        "p50 ms plaintext", "p50 ms TLS", "p99 ms plaintext", "p99 ms TLS", "<verdict"));
    List<Goal> goals = goals(rows);
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      SideSummary p = r.plaintext();
      SideSummary s = r.tls();
      t.add(List.of(r.pair(), Fmt.num(p.medianThroughput(), 0), Fmt.num(s.medianThroughput(), 0),
          Fmt.ratio(r.ratio()), Fmt.ratio(r.minRatio()) + "–" + Fmt.ratio(r.maxRatio()), Fmt.ms(p.ms(50)),
          Fmt.ms(s.ms(50)), Fmt.ms(p.ms(99)), Fmt.ms(s.ms(99)), "**" + goals.get(i).verdict() + "**"));
    }
    return t;
  }

  /** What each side cost and whether it reused its connections: one line per pair, plaintext / TLS in each cell. */
  static Table costs(List<Row> rows) {
    Table t = new Table(List.of("<pair", "server µs CPU/req", "client µs CPU/req", "TLS / plaintext by CPU", "failed",
        "<connections per turn", "<opened in windows"));
    for (Row r : rows) {
      SideSummary p = r.plaintext();
      SideSummary s = r.tls();
      t.add(List.of(r.pair(), Fmt.num(p.serverMicrosPerRequest(), 0) + " / " + Fmt.num(s.serverMicrosPerRequest(), 0),
          Fmt.num(p.generatorMicrosPerRequest(), 0) + " / " + Fmt.num(s.generatorMicrosPerRequest(), 0),
          Fmt.ratio(r.cpuRatio()), p.failures() + " / " + s.failures(), connections(p) + " / " + connections(s),
          p.openedInWindows() + " / " + s.openedInWindows()));
    }
    return t;
  }

  /** The connections each turn opened, and those the node saw open at the windows' ends: "32 (node 32)". */
  private static String connections(SideSummary s) {
    return join(s.opened()) + " (node " + join(s.serverOpen()) + ")";
  }

  private static String join(List<Long> values) {
    return values.stream().map(v -> v < 0 ? "n/a" : Long.toString(v)).collect(Collectors.joining(", "));
  }

  static String markdown(String method, List<Turn> turns) {
    List<Row> rows = rows(turns);
    StringBuilder sb = new StringBuilder("# TLS cost: TLS against plaintext, side by side\n\n").append(method)
        .append("\n\n").append(table(rows).markdown())
        .append("\nreq/s: the median of each side's turns. TLS / plaintext: the median of the rounds' ratios (a round "
            + "is one plaintext turn and one TLS turn, one right after the other), and their range. Latencies: every "
            + "turn of a side merged.\n\n## What each side cost (plaintext / TLS)\n\n")
        .append(costs(rows).markdown())
        .append("\nServer CPU: the node's CPU time over the windows (JMX) per request answered. Client CPU: the bench "
            + "JVM's (the load generator, which does its side of TLS on the same two cores as the nodes). TLS / "
            + "plaintext by CPU: plaintext's server + client CPU per request over TLS's, the throughput ratio if both "
            + "were bound by the same cores and nothing else ran (a cross-check, not the goal). Connections "
            + "per turn: those the turn's client opened before its window (each a TLS handshake on the TLS side), and "
            + "in brackets those the node's `maas_gateway_connections_open` gauge counted at the windows' ends. "
            + "Opened in windows: 0 means every request of every measured window went over connections opened, and "
            + "handshaken, before it. TLS sessions negotiated: " + sessions(turns) + ".\n\n");
    sb.append("## Goal\n\n").append(Reports.goals(goals(rows)).markdown()).append("\nEach turn:\n\n");
    for (Turn t : turns) {
      sb.append("- ").append(t.summary()).append('\n');
    }
    String failures = turns.stream().filter(t -> t.load().failures() > 0)
        .map(t -> "- " + t.pair() + ", round " + (t.round() + 1) + ", " + t.side().label + ": "
            + String.join(" / ", t.load().firstFailures()))
        .collect(Collectors.joining("\n"));
    if (!failures.isEmpty()) {
      sb.append("\nFailures:\n\n").append(failures).append('\n');
    }
    return sb.toString();
  }

  /** The distinct TLS sessions of the TLS side's connections, in words. */
  static String sessions(List<Turn> turns) {
    List<String> all = turns.stream().filter(t -> t.side() == Side.TLS).map(Turn::session).distinct().toList();
    return all.isEmpty() ? "none" : all.stream().map(x -> x.isEmpty() ? "none (plaintext?)" : "`" + x + "`")
        .collect(Collectors.joining(", "));
  }

  /** One line per turn, for whoever wants to recompute the medians. */
  static String csv(List<Turn> turns) {
    Table t = new Table(List.of("pair", "side", "round", "requests_per_s", "p50_ms", "p99_ms", "failed",
        "server_cpu_us_per_request", "client_cpu_us_per_request", "connections_opened", "opened_in_window",
        "node_connections_open", "tls_session"));
    for (Turn x : turns) {
      t.add(List.of(x.pair(), x.side().label, Integer.toString(x.round() + 1),
          String.format(Locale.ROOT, "%.2f", x.throughput()), String.format(Locale.ROOT, "%.3f", x.load().millis(50)),
          String.format(Locale.ROOT, "%.3f", x.load().millis(99)), Long.toString(x.load().failures()),
          String.format(Locale.ROOT, "%.1f", perRequestMicros(x.serverCpuNanos(), x.load())),
          String.format(Locale.ROOT, "%.1f", perRequestMicros(x.generatorCpuNanos(), x.load())),
          Long.toString(x.opened()), Long.toString(x.openedInWindow()), Long.toString(x.serverOpen()), x.session()));
    }
    return t.csv();
  }
}
