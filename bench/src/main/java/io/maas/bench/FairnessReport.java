package io.maas.bench;

import io.maas.bench.FairLoad.FlowResult;
import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The tables and goals of {@link FairnessBench}: issue 14's measured goals, each MET or MISSED with its figure. */
final class FairnessReport {
  static final double MIN_LIGHT_SHARE = 0.95;
  static final double MAX_LIGHT_P99_RATIO = 2.0;
  /** "The device never idles while A has queued work": the share of the window the model executed. */
  static final double MIN_BUSY = 0.95;
  static final double WEIGHT_RATIO = 3.0;
  static final double WEIGHT_TOLERANCE = 0.10;
  static final double MAX_PRIORITY_P99_RATIO = 1.5;
  static final double MAX_EXECUTED_SHARE = 0.10;

  private FairnessReport() {}

  /**
   * Two keys of equal weight on one model: B alone, then A's flood with B.
   *
   * @param workers "sim" or "cpu (MiniLM)"
   * @param capacity the model's capacity for this request, requests/s, measured closed-loop in the run
   * @param busy the share of the flood's window the model executed (see {@link FairnessBench#busy})
   */
  record Share(String workers, FlowResult capacity, FlowResult bAlone, FlowResult a, FlowResult b, double busy) {}

  /** Two keys of weights 3 and 1, both saturating. */
  record Weights(String workers, FlowResult capacity, FlowResult heavy, FlowResult light) {
    double ratio() {
      return light.ok() == 0 ? Double.NaN : (double) heavy.ok() / light.ok();
    }
  }

  /** Priority 1 traffic alone, then during a priority 2 flood. */
  record Priority(String workers, FlowResult capacity, FlowResult p1Alone, FlowResult p1, FlowResult flood) {}

  /**
   * Clients that went away 5 ms after sending.
   *
   * @param executedItems the model version's {@code inference_count} delta
   * @param cancelled its {@code queue_outcomes.cancelled} delta (-1: not reported)
   * @param errorLines ERROR lines in the node's log over the window
   */
  record Disconnect(Disconnects.Close close, int clients, int written, int itemsEach, long closeAfterMillis,
      long executedItems, long cancelled, long errorLines, String firstError, long reachedGateway,
      String gatewayOutcomes) {
    long askedItems() {
      return (long) clients * itemsEach;
    }
  }

  /**
   * A burst on a model whose queue timeout is {@code timeoutMillis}.
   *
   * @param batchMillis one (full) batch's run time on the slot
   * @param executedItems {@code inference_count} delta (each request is one item)
   * @param timedOut {@code queue_outcomes.timed_out} delta (-1: not reported)
   */
  record Timeout(String workers, long timeoutMillis, double batchMillis, FlowResult burst, long executedItems,
      long executions, long timedOut) {
    double boundMillis() {
      return timeoutMillis + batchMillis;
    }
  }

  record Run(String settings, List<Share> shares, Weights weights, Priority priority, List<Disconnect> disconnects,
      Timeout timeout) {}

  static List<Goal> goals(Run run) {
    List<Goal> goals = new ArrayList<>();
    for (Share s : run.shares()) {
      goals.addAll(shareGoals(s));
    }
    if (run.weights() != null) {
      Weights w = run.weights();
      double r = w.ratio();
      goals.add(new Goal("fairness, " + w.workers(), "weights 3:1, both saturating: served ratio 3:1 ± 10 %",
          String.format(Locale.ROOT, "%s : 1 (%s / %s requests served; each asked %s/s, capacity %s/s)",
              Fmt.ratio(r), w.heavy().ok(), w.light().ok(), Fmt.num(w.heavy().askedRate(), 0),
              Fmt.num(w.capacity().okPerSecond(), 1)),
          Math.abs(r - WEIGHT_RATIO) <= WEIGHT_RATIO * WEIGHT_TOLERANCE));
    }
    if (run.priority() != null) {
      Priority p = run.priority();
      double ratio = p.p1().ms(99) / p.p1Alone().ms(99);
      goals.add(new Goal("fairness, " + p.workers(), "priority 1 at 30 % of capacity during a priority 2 flood: "
          + "p99 ≤ 1.5 × unloaded",
          String.format(Locale.ROOT, "%s × (%s / %s ms; %d of %d answered 200)", Fmt.ratio(ratio),
              Fmt.ms(p.p1().ms(99)), Fmt.ms(p.p1Alone().ms(99)), p.p1().ok(), p.p1().sent()),
          ratio <= MAX_PRIORITY_P99_RATIO && p.p1().ok() == p.p1().sent()));
    }
    long errors = 0;
    for (Disconnect d : run.disconnects()) {
      double share = (double) d.executedItems() / d.askedItems();
      goals.add(new Goal("fairness, cpu (MiniLM)", String.format(Locale.ROOT, "%d requests of %d texts, clients "
              + "gone after %d ms, %s: ≥ 90 %% never executed", d.clients(), d.itemsEach(), d.closeAfterMillis(),
              d.close().label),
          String.format(Locale.ROOT, "%s %% executed (%,d of %,d texts; %s cancelled in the queue; the gateway "
                  + "ended %d of the %d requests: %s)",
              Fmt.num(100 * share, 1), d.executedItems(), d.askedItems(),
              d.cancelled() < 0 ? "n/a" : Long.toString(d.cancelled()), d.reachedGateway(), d.clients(),
              d.gatewayOutcomes()),
          d.written() == d.clients() && d.reachedGateway() == d.clients() && share <= MAX_EXECUTED_SHARE));
      errors += d.errorLines();
    }
    if (!run.disconnects().isEmpty()) {
      String first = run.disconnects().stream().map(Disconnect::firstError).filter(e -> e != null && !e.isEmpty())
          .findFirst().orElse("");
      goals.add(new Goal("fairness, cpu (MiniLM)", "no ERROR line in the node's log for the disconnects",
          errors + " ERROR lines" + (first.isEmpty() ? "" : " (first: `" + first.replace("|", "\\|") + "`)"),
          errors == 0));
    }
    if (run.timeout() != null) {
      Timeout t = run.timeout();
      FlowResult b = t.burst();
      goals.add(new Goal("fairness, " + t.workers(), String.format(Locale.ROOT, "a burst with a %d ms queue timeout: "
              + "none answered after %d ms + one batch (%s ms)", t.timeoutMillis(), t.timeoutMillis(),
              Fmt.ms(t.batchMillis())),
          String.format(Locale.ROOT, "latest answer %s ms (bound %s ms); %d × 200, %d × 504, %d × 503, %d other",
              Fmt.ms(b.maxAnswerMs()), Fmt.ms(t.boundMillis()), b.ok(), b.expired(), b.rejected(), b.other()),
          b.sent() > 0 && b.maxAnswerMs() <= t.boundMillis() && b.expired() > 0));
      boolean counted = t.timedOut() >= 0;
      goals.add(new Goal("fairness, " + t.workers(), "none of the expired ones executed (statistics)",
          String.format(Locale.ROOT, "items executed %d = answered 200 %d; timed_out %s, answered 504 %d",
              t.executedItems(), b.ok(), counted ? Long.toString(t.timedOut()) : "n/a", b.expired()),
          t.executedItems() == b.ok() && (!counted || t.timedOut() == b.expired()) && b.expired() > 0));
    }
    return goals;
  }

  private static List<Goal> shareGoals(Share s) {
    String where = "fairness, " + s.workers();
    FlowResult b = s.b();
    double share = b.sent() == 0 ? Double.NaN : (double) b.ok() / b.sent();
    double p99 = b.ms(99) / s.bAlone().ms(99);
    double capacity = s.capacity().okPerSecond();
    double rest = capacity - b.okPerSecond();
    return List.of(
        new Goal(where, "equal weights, A at 10 × capacity, B at 20 %: B's throughput ≥ 95 % of what it asked",
            String.format(Locale.ROOT, "%s %% (%d of %d answered 200, %d × 503, %d × 504, %d other; capacity %s/s)",
                Fmt.num(100 * share, 1), b.ok(), b.sent(), b.rejected(), b.expired(), b.other(),
                Fmt.num(capacity, 1)),
            share >= MIN_LIGHT_SHARE),
        new Goal(where, "B's p99 ≤ 2 × its p99 with A idle",
            String.format(Locale.ROOT, "%s × (%s / %s ms)", Fmt.ratio(p99), Fmt.ms(b.ms(99)),
                Fmt.ms(s.bAlone().ms(99))),
            p99 <= MAX_LIGHT_P99_RATIO),
        new Goal(where, "A gets the rest: the model executes ≥ 95 % of the time while A has queued work",
            String.format(Locale.ROOT, "busy %s %%; A served %s/s of the %s/s left by B (%d × 503)",
                Fmt.num(100 * s.busy(), 1), Fmt.num(s.a().okPerSecond(), 1), Fmt.num(rest, 1), s.a().rejected()),
            s.busy() >= MIN_BUSY));
  }

  static String markdown(Run run) {
    StringBuilder sb = new StringBuilder("# Overload that stays fair (issue 14)\n\n");
    sb.append(String.format(Locale.ROOT, "%s, %d cores, %s. %s%n%n", LocalDate.now(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
            + System.getProperty("java.version"), run.settings()));
    sb.append("| phase | workers | flow | asked/s | due | 200 | 503 | 504 | other | 200/s | p50 ms | p99 ms "
        + "| latest answer ms |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String[] row : rows(run)) {
      sb.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    if (!run.disconnects().isEmpty()) {
      sb.append("\n| disconnect | clients | written | texts each | texts executed | cancelled | ERROR lines |\n"
          + "|---|---:|---:|---:|---:|---:|---:|\n");
      for (Disconnect d : run.disconnects()) {
        sb.append(String.format(Locale.ROOT, "| %s after %d ms | %d | %d | %d | %,d | %s | %d |%n", d.close().label,
            d.closeAfterMillis(), d.clients(), d.written(), d.itemsEach(), d.executedItems(),
            d.cancelled() < 0 ? "n/a" : Long.toString(d.cancelled()), d.errorLines()));
      }
    }
    sb.append("\n| where | goal | measured | verdict |\n|---|---|---|---|\n");
    for (Goal g : goals(run)) {
      sb.append("| ").append(g.scenario()).append(" | ").append(g.goal()).append(" | ").append(g.measured())
          .append(" | **").append(g.verdict()).append("** |\n");
    }
    return sb.toString();
  }

  static String csv(Run run) {
    StringBuilder sb = new StringBuilder("phase,workers,flow,asked_per_s,due,ok,rejected_503,expired_504,other,"
        + "ok_per_s,p50_ms,p99_ms,latest_answer_ms\n");
    for (String[] row : rows(run)) {
      sb.append(String.join(",", row).replace("n/a", "")).append('\n');
    }
    return sb.toString();
  }

  private static List<String[]> rows(Run run) {
    List<String[]> rows = new ArrayList<>();
    for (Share s : run.shares()) {
      rows.add(row("capacity (closed loop)", s.workers(), s.capacity()));
      rows.add(row("B alone", s.workers(), s.bAlone()));
      rows.add(row("A flood + B", s.workers(), s.a()));
      rows.add(row("A flood + B", s.workers(), s.b()));
    }
    if (run.weights() != null) {
      Weights w = run.weights();
      rows.add(row("capacity (closed loop)", w.workers(), w.capacity()));
      rows.add(row("weights 3:1", w.workers(), w.heavy()));
      rows.add(row("weights 3:1", w.workers(), w.light()));
    }
    if (run.priority() != null) {
      Priority p = run.priority();
      rows.add(row("capacity (closed loop)", p.workers(), p.capacity()));
      rows.add(row("priority 1 alone", p.workers(), p.p1Alone()));
      rows.add(row("priority 2 flood + 1", p.workers(), p.flood()));
      rows.add(row("priority 2 flood + 1", p.workers(), p.p1()));
    }
    if (run.timeout() != null) {
      rows.add(row(run.timeout().timeoutMillis() + " ms queue timeout, burst", run.timeout().workers(),
          run.timeout().burst()));
    }
    return rows;
  }

  private static String[] row(String phase, String workers, FlowResult r) {
    return new String[] {phase, workers, r.name(), r.askedRate() > 0 ? Fmt.num(r.askedRate(), 1) : "n/a",
        Long.toString(r.sent()), Long.toString(r.ok()), Long.toString(r.rejected()), Long.toString(r.expired()),
        Long.toString(r.other()), Fmt.num(r.okPerSecond(), 1), Fmt.ms(r.ms(50)), Fmt.ms(r.ms(99)),
        Fmt.ms(r.maxAnswerMs())};
  }
}
