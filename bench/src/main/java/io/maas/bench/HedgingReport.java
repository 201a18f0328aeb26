package io.maas.bench;

import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The tables and goals of {@link HedgingBench}: each side's turns merged, then off against on. */
final class HedgingReport {
  enum Hedging { OFF, ON }

  enum Situation { STEADY, PAUSE }

  /** The one bound a pause may cost a request with hedging on. */
  static final long SLOWEST_MICROS = 1_000_000;
  /** Hedges may add at most this share of requests (maas's default budget). */
  static final double MAX_EXTRA_LOAD_PERCENT = 5;
  static final double MIN_THROUGHPUT_RATIO = 0.95;
  static final double MAX_P99_RATIO = 1.10;

  private HedgingReport() {}

  /** Off, on, on, off: a drift of the machine's load over the run weighs on both sides alike. */
  static List<Hedging> turnOrder() {
    return List.of(Hedging.OFF, Hedging.ON, Hedging.ON, Hedging.OFF);
  }

  record Settings(int concurrency, int baseMs, Duration pause, Duration warmUp, Duration steady, Duration pauseLead,
      Duration pauseWindow) {}

  /**
   * One measured turn: what the clients saw and the gateway's counters over the same window.
   *
   * @param workers the kind of workers: {@code sim} or {@code cpu}
   */
  record Turn(String workers, Situation situation, Hedging hedging, ClosedLoopLoad.Result load,
      HedgingBench.Counters gateway) {
    String summary() {
      Histogram h = load.latencyMicros();
      return String.format(Locale.ROOT, "%s, %s, hedging %s: %.1f req/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
              + "%d failed, %.0f hedges (%.0f won) for %.0f requests", workers, situation.name().toLowerCase(Locale.ROOT),
          hedging.name().toLowerCase(Locale.ROOT), load.throughput(), h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, load.failures(), gateway.hedges(),
          gateway.wins(), gateway.requests());
    }
  }

  /** Every turn of one side in one situation on one kind of workers, added up. */
  record Row(String workers, Situation situation, Hedging hedging, long successes, long failures, double seconds,
      Histogram latency, double requests, double hedges, double wins) {
    static Row of(String workers, Situation s, Hedging h, List<Turn> turns) {
      Histogram all = new Histogram(60_000_000L, 3);
      long ok = 0;
      long failed = 0;
      double seconds = 0;
      double requests = 0;
      double hedges = 0;
      double wins = 0;
      for (Turn t : turns) {
        if (t.workers().equals(workers) && t.situation() == s && t.hedging() == h) {
          all.add(t.load().latencyMicros());
          ok += t.load().successes();
          failed += t.load().failures();
          seconds += t.load().seconds();
          requests += t.gateway().requests();
          hedges += t.gateway().hedges();
          wins += t.gateway().wins();
        }
      }
      return new Row(workers, s, h, ok, failed, seconds, all, requests, hedges, wins);
    }

    double throughput() {
      return successes / seconds;
    }

    double ms(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMs() {
      return latency.getMaxValue() / 1000.0;
    }

    long overOneSecond() {
      return latency.getTotalCount() == 0 ? 0 : latency.getCountBetweenValues(SLOWEST_MICROS, latency.getMaxValue());
    }

    /** The extra requests hedges sent to workers, as a share of the requests the gateway answered. */
    double extraLoadPercent() {
      return requests == 0 ? Double.NaN : 100 * hedges / requests;
    }
  }

  /** Every kind of workers in the order first measured, each with its situations and both sides. */
  static List<Row> rows(List<Turn> turns) {
    List<Row> rows = new ArrayList<>();
    for (String w : turns.stream().map(Turn::workers).distinct().toList()) {
      for (Situation s : Situation.values()) {
        for (Hedging h : Hedging.values()) {
          rows.add(Row.of(w, s, h, turns));
        }
      }
    }
    return rows;
  }

  private static Row row(List<Row> rows, String workers, Situation s, Hedging h) {
    return rows.stream().filter(r -> r.workers().equals(workers) && r.situation() == s && r.hedging() == h)
        .findFirst().orElseThrow();
  }

  static List<Goal> goals(List<Row> rows) {
    List<Goal> goals = new ArrayList<>();
    for (String w : rows.stream().map(Row::workers).distinct().toList()) {
      goals.addAll(goals(rows, w));
    }
    return goals;
  }

  private static List<Goal> goals(List<Row> rows, String w) {
    Row pauseOff = row(rows, w, Situation.PAUSE, Hedging.OFF);
    Row pauseOn = row(rows, w, Situation.PAUSE, Hedging.ON);
    Row steadyOff = row(rows, w, Situation.STEADY, Hedging.OFF);
    Row steadyOn = row(rows, w, Situation.STEADY, Hedging.ON);
    double throughput = steadyOn.throughput() / steadyOff.throughput();
    double p99 = steadyOn.ms(99) / steadyOff.ms(99);
    return List.of(
        new Goal(w + ", pause", "hedging on: no request fails, none takes 1 s or more",
            String.format(Locale.ROOT, "on: %d failed, slowest %s ms (off: %d failed, slowest %s ms, %d over 1 s)",
                pauseOn.failures(), Fmt.ms(pauseOn.maxMs()), pauseOff.failures(), Fmt.ms(pauseOff.maxMs()),
                pauseOff.overOneSecond()),
            pauseOn.successes() > 0 && pauseOn.failures() == 0 && pauseOn.overOneSecond() == 0),
        new Goal(w + ", steady", "hedging on: hedges add at most 5 % to the requests workers get",
            String.format(Locale.ROOT, "%s %% (%s hedges for %s requests)", Fmt.num(steadyOn.extraLoadPercent(), 2),
                Fmt.count(steadyOn.hedges()), Fmt.count(steadyOn.requests())),
            steadyOn.requests() > 0 && steadyOn.extraLoadPercent() <= MAX_EXTRA_LOAD_PERCENT),
        new Goal(w + ", steady", "hedging on ≥ 0.95 × off (requests/s)",
            String.format(Locale.ROOT, "%s × (%s / %s req/s)", Fmt.ratio(throughput), Fmt.num(steadyOn.throughput(), 1),
                Fmt.num(steadyOff.throughput(), 1)),
            throughput >= MIN_THROUGHPUT_RATIO),
        new Goal(w + ", steady", "hedging on: p99 ≤ 1.1 × off",
            String.format(Locale.ROOT, "%s × (%s / %s ms)", Fmt.ratio(p99), Fmt.ms(steadyOn.ms(99)),
                Fmt.ms(steadyOff.ms(99))),
            p99 <= MAX_P99_RATIO));
  }

  static String markdown(Settings s, List<Turn> turns) {
    List<Row> rows = rows(turns);
    StringBuilder sb = new StringBuilder("# Hedging off vs on\n\n");
    sb.append(String.format(Locale.ROOT, "%s, %d cores, %s. For each kind of workers one cluster on 127.0.0.1: 3 "
            + "worker processes announcing every 1 s (maas's default), either `sim` (each holds the model `simple`'s "
            + "one instance %d ms + 1 ms per item: ~%d ms a request, no CPU used: a tight latency distribution) or "
            + "`cpu` (ONNX Runtime runs `simple` for real, 1 intra-op thread: well under a millisecond, with the "
            + "jitter of 6 JVMs on 2 cores), and two gateway processes, hedging off (the default) and on "
            + "(`gateway.hedge_enabled=true`, every other `hedge_*` key at its default: p99 × 1.5 within 20..1000 ms, "
            + "budget 5 %% + 10). The gateways are loaded in turns, off, on, on, off, never at once: a closed loop of "
            + "%d clients over HTTP/1.1 (`POST /v2/models/simple/infer`); each gateway first gets 8 s of load not "
            + "measured (JIT, connection pools, its latency estimate), then each turn %d s warm-up and measured. "
            + "**steady**: no fault, %d s a turn. **pause**: an %d s window in which one worker is stopped (SIGSTOP) "
            + "after %d s for %d s, then resumed (SIGCONT); before the next turn every worker serves both gateways "
            + "again. Extra load: the hedges the gateway sent (`maas_gateway_hedges_total`) over the requests it "
            + "answered in the same window.%n%n",
        LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
            + System.getProperty("java.version"), s.baseMs(), s.baseMs() + 1, s.concurrency(), s.warmUp().toSeconds(),
        s.steady().toSeconds(), s.pauseWindow().toSeconds(), s.pauseLead().toSeconds(), s.pause().toSeconds()));
    sb.append("| workers | situation | hedging | req/s | p50 ms | p99 ms | max ms | over 1 s | failed | hedges "
            + "| hedges won | extra load |\n")
        .append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d | %d | %s | %s | %s %% |%n",
          r.workers(), r.situation().name().toLowerCase(Locale.ROOT), r.hedging().name().toLowerCase(Locale.ROOT),
          Fmt.num(r.throughput(), 1), Fmt.ms(r.ms(50)), Fmt.ms(r.ms(99)), Fmt.ms(r.maxMs()), r.overOneSecond(),
          r.failures(), Fmt.count(r.hedges()), Fmt.count(r.wins()), Fmt.num(r.extraLoadPercent(), 2)));
    }
    sb.append("\n| workers, situation | goal | measured | verdict |\n|---|---|---|---|\n");
    for (Goal g : goals(rows)) {
      sb.append("| ").append(g.scenario()).append(" | ").append(g.goal()).append(" | ").append(g.measured())
          .append(" | ").append(g.verdict()).append(" |\n");
    }
    sb.append("\nEach turn:\n\n");
    for (Turn t : turns) {
      sb.append("- ").append(t.summary()).append('\n');
    }
    return sb.toString();
  }

  static String csv(List<Turn> turns) {
    StringBuilder sb = new StringBuilder(
        "workers,situation,hedging,requests_per_s,p50_ms,p99_ms,max_ms,over_1s,failed,hedges,hedges_won,"
            + "extra_load_percent\n");
    for (Row r : rows(turns)) {
      sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.2f,%.3f,%.3f,%.3f,%d,%d,%.0f,%.0f,%.3f%n", r.workers(),
          r.situation().name().toLowerCase(Locale.ROOT), r.hedging().name().toLowerCase(Locale.ROOT), r.throughput(),
          r.ms(50), r.ms(99), r.maxMs(), r.overOneSecond(), r.failures(), r.hedges(), r.wins(),
          r.extraLoadPercent()));
    }
    return sb.toString();
  }
}
