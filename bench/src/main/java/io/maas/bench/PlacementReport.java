package io.maas.bench;

import io.maas.bench.load.LoadResult;
import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import io.maas.bench.report.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The tables and goals of {@link PlacementBench}: the Zipf pool, the worker added mid-run, the canary. */
final class PlacementReport {
  /** Issue 13: at least this share of the Zipf pool's requests served without waiting for a load. */
  static final double MIN_WARM_SHARE = 0.90;
  /** The hottest model's copies by the end of the Zipf pool. */
  static final int MIN_HOTTEST_COPIES = 2;
  /** {@code gateway.placement_scale_up_queue}'s default, which the bench runs with. */
  static final int SCALE_UP_QUEUE = 4;
  /** A worker added mid-run holds a READY version within this long of its announcement. */
  static final long MAX_ADDED_READY_MS = 10_000;
  static final double CANARY_SHARE = 0.10;
  static final double CANARY_TOLERANCE = 0.02;
  static final String CANARY_VERSION = "2";
  static final String NO_TRAFFIC_WEIGHTS = "traffic weights not in this build";

  private PlacementReport() {}

  /** How the run was set up (for the report's text). */
  record Settings(int models, double zipfS, int workers, long budgetMb, long modelMb, long simBaseMs, double rate,
      long warmUpS, long measureS, long addRunS, long addAfterS, long canaryRequests, int canaryConcurrency,
      int canaryInstances, long announceMs, long pollMs, boolean quick) {}

  /**
   * One load phase.
   *
   * @param load what the load generator recorded in the measured window
   * @param outsideFailures failures outside the measured window (its warm-up, and answers after its end), not in
   *     {@code load}
   * @param coldWaits the gateway's {@code maas_placement_cold_waits_total} over the window
   * @param gatewayRequests the gateway's {@code maas_gateway_requests_total} over the same window
   * @param notReadyAtSend answers to requests sent while no worker held their model READY (the last view)
   * @param failureKinds every failure of the phase (warm-up included) by its message, the model's name left out
   * @param readyMicros latencies from the send of the answers to requests sent while their model was READY somewhere
   *     (the last view); notReadyMicros: of the others
   */
  record Phase(String name, LoadResult load, long outsideFailures, double coldWaits, double gatewayRequests,
      long notReadyAtSend, Histogram readyMicros, Histogram notReadyMicros,
      Map<String, Long> failureKinds) {
    long failuresIncludingOutside() {
      return load.failures() + outsideFailures;
    }

    long requests() {
      return load.successes() + load.failures();
    }

    /** The gateway's share of requests that did not wait for a load (cold waits over requests it answered). */
    double warmShare() {
      return gatewayRequests <= 0 ? Double.NaN : 1 - coldWaits / gatewayRequests;
    }

    /** The client's guess: answers to requests sent while their model was READY somewhere, over all answers. */
    double clientWarmShare() {
      return load.successes() == 0 ? Double.NaN : 1 - (double) notReadyAtSend / load.successes();
    }
  }

  /**
   * One rank of the Zipf mix: its model, its expected share, what it got (requests, latency of its successes from
   * the send, ms: NaN without any), its copies, and the most requests its copies held per copy in one view.
   */
  record Rank(int rank, String model, double expectedShare, long requests, double p50Ms, double p99Ms, int copiesAtEnd,
      int maxCopies, double maxHeldPerCopy) {}

  /**
   * The Zipf pool's placement.
   *
   * @param topShare12 the share of requests the 12 most popular models take (the best any placement of 12
   *     copies can serve without a load)
   * @param topShare11 the same for 11 (the hottest holding 2 of the 12)
   */
  record Pool(Phase phase, List<Rank> ranks, double topShare11, double topShare12, double maxRatio,
      Map<String, Double> maxRatioByWorker, long overBudget, String firstOverBudget, long polls, long failedPolls) {
    Rank hottest() {
      return ranks.get(0);
    }
  }

  /**
   * The worker added mid-run.
   *
   * @param startedMs when its process started (ms since the watch started); seenMs: when the gateway's view first
   *     listed it; readyMs: when it first held a READY version (null: never)
   */
  record Added(Phase phase, String workerId, long startedMs, Long seenMs, Long readyMs) {
    Long readyAfterSeenMs() {
      return seenMs == null || readyMs == null ? null : readyMs - seenMs;
    }
  }

  /** The canary: answers per served version of {@code requests} unversioned requests. */
  record Canary(LoadResult load, Map<String, Long> byVersion) {
    long answered() {
      return byVersion.values().stream().mapToLong(Long::longValue).sum();
    }

    double share(String version) {
      long all = answered();
      return all == 0 ? Double.NaN : (double) byVersion.getOrDefault(version, 0L) / all;
    }
  }

  /** One sample of the timeline, labelled with the phase it fell in. */
  record Mark(String phase, double fromSeconds) {}

  static List<Goal> goals(Pool pool, Added added, Canary canary) {
    List<Goal> goals = new ArrayList<>();
    Phase z = pool.phase();
    goals.add(new Goal("zipf", "0 failed requests (cold loads wait)", String.format(Locale.ROOT,
        "%d failed of %s measured, %d outside the window (warm-up, late answers)", z.load().failures(),
        Fmt.count(z.requests()), z.outsideFailures()), z.requests() > 0 && z.failuresIncludingOutside() == 0));
    goals.add(new Goal("zipf", "≥ 90 % of requests served with no load", String.format(Locale.ROOT,
        "%s %% (gateway: %s cold waits of %s requests; client's guess %s %%; the 12 most popular models take %s %%)",
        pct(z.warmShare()), Fmt.count(z.coldWaits()), Fmt.count(z.gatewayRequests()), pct(z.clientWarmShare()),
        pct(pool.topShare12())), z.gatewayRequests() > 0 && z.warmShare() >= MIN_WARM_SHARE));
    goals.add(new Goal("zipf + added", "no worker ever over its budget", String.format(Locale.ROOT,
        "max used / budget %s over %s views (%d over budget%s)", Fmt.ratio(pool.maxRatio()), Fmt.count(pool.polls()),
        pool.overBudget(), pool.overBudget() > 0 ? "; first: " + pool.firstOverBudget()
            : pool.maxRatioByWorker().isEmpty() ? "; no worker announced a budget" : ""),
        !pool.maxRatioByWorker().isEmpty() && pool.overBudget() == 0));
    Rank hot = pool.hottest();
    goals.add(new Goal("zipf", "the hottest model on ≥ 2 workers by the end", String.format(Locale.ROOT,
        "%s: %d READY cop%s at the end (most seen: %d; most requests held per copy: %s, threshold %d)", hot.model(),
        hot.copiesAtEnd(), hot.copiesAtEnd() == 1 ? "y" : "ies", hot.maxCopies(), Fmt.num(hot.maxHeldPerCopy(), 0),
        SCALE_UP_QUEUE), hot.copiesAtEnd() >= MIN_HOTTEST_COPIES));
    Long after = added.readyAfterSeenMs();
    goals.add(new Goal("added", "the new worker holds a READY version ≤ 10 s after its announcement",
        after == null ? (added.seenMs() == null ? "never listed in the placement view" : "no READY version on it")
            : String.format(Locale.ROOT, "%s s (listed %s s after its process started)", Fmt.num(after / 1000.0, 1),
                Fmt.num((added.seenMs() - added.startedMs()) / 1000.0, 1)),
        after != null && after <= MAX_ADDED_READY_MS));
    Phase a = added.phase();
    goals.add(new Goal("added", "0 failed requests while the worker joins", String.format(Locale.ROOT,
        "%d failed of %s (%d answered after the window)", a.load().failures(), Fmt.count(a.requests()),
        a.outsideFailures()), a.requests() > 0 && a.failuresIncludingOutside() == 0));
    goals.add(canaryGoal(canary));
    return goals;
  }

  static Goal canaryGoal(Canary c) {
    double share = c.share(CANARY_VERSION);
    String versions = c.byVersion().isEmpty() ? "no version answered" : String.join(", ", c.byVersion().entrySet()
        .stream().sorted(Map.Entry.comparingByKey()).map(e -> "v" + e.getKey() + " " + Fmt.count(e.getValue()))
        .toList());
    boolean oneVersion = c.byVersion().size() == 1;
    String measured = String.format(Locale.ROOT, "%s %% version 2 (%s; %d failed)%s", pct(share), versions,
        c.load().failures(), oneVersion ? ": MISSED because " + NO_TRAFFIC_WEIGHTS + " (every answer from one version)"
            : "");
    return new Goal("canary", "10 % canary: share of version 2 within 10 % ± 2 pp", measured,
        !oneVersion && c.answered() > 0 && Math.abs(share - CANARY_SHARE) <= CANARY_TOLERANCE + 1e-12);
  }

  static Table phases(List<Phase> phases) {
    Table t = new Table(List.of("<phase", "s", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "failed",
        "failed outside", "cold waits", "no load % (gateway)", "no load % (client)"));
    for (Phase p : phases) {
      LoadResult r = p.load();
      double maxMs = r.latencyMicros().getTotalCount() == 0 ? Double.NaN : r.latencyMicros().getMaxValue() / 1000.0;
      t.add(List.of(p.name(), Fmt.num(r.seconds(), 1), Long.toString(p.requests()), Fmt.num(r.requestsPerSecond(), 1),
          Fmt.ms(r.millis(50)), Fmt.ms(r.millis(99)), Fmt.ms(maxMs), Long.toString(r.failures()),
          Long.toString(p.outsideFailures()),
          Fmt.num(p.coldWaits(), 0), pct(p.warmShare()), pct(p.clientWarmShare())));
    }
    return t;
  }

  /** Latency from the send by whether the model was READY somewhere when the request was sent. */
  static Table byReadiness(List<Phase> phases) {
    Table t = new Table(List.of("<phase", "<model when sent", "answers", "p50 ms", "p90 ms", "p99 ms", "max ms"));
    for (Phase p : phases) {
      for (boolean ready : new boolean[] {true, false}) {
        Histogram h = ready ? p.readyMicros() : p.notReadyMicros();
        boolean none = h.getTotalCount() == 0;
        t.add(List.of(p.name(), ready ? "READY somewhere" : "READY nowhere", Long.toString(h.getTotalCount()),
            none ? "n/a" : Fmt.ms(h.getValueAtPercentile(50) / 1000.0),
            none ? "n/a" : Fmt.ms(h.getValueAtPercentile(90) / 1000.0),
            none ? "n/a" : Fmt.ms(h.getValueAtPercentile(99) / 1000.0),
            none ? "n/a" : Fmt.ms(h.getMaxValue() / 1000.0)));
      }
    }
    return t;
  }

  static Table ranks(List<Rank> ranks, int shown) {
    Table t = new Table(List.of("rank", "<model", "expected %", "requests", "got %", "p50 ms", "p99 ms",
        "READY copies at end", "most copies seen", "most held per copy"));
    long all = ranks.stream().mapToLong(Rank::requests).sum();
    for (Rank r : ranks.subList(0, Math.min(shown, ranks.size()))) {
      t.add(List.of(Integer.toString(r.rank()), r.model(), pct(r.expectedShare()), Fmt.count(r.requests()),
          pct(all == 0 ? Double.NaN : (double) r.requests() / all), Fmt.ms(r.p50Ms()), Fmt.ms(r.p99Ms()),
          Integer.toString(r.copiesAtEnd()),
          Integer.toString(r.maxCopies()), Fmt.num(r.maxHeldPerCopy(), 0)));
    }
    return t;
  }

  /** One row per {@code everySeconds} of the watch's samples. */
  static Table timeline(List<PlacementWatch.Sample> samples, List<Mark> marks, String hottest, double everySeconds) {
    Table t = new Table(List.of("t s", "<phase", "workers", "models READY", "copies READY", "hottest copies",
        "used / budget", "cold loads", "added", "removed", "evictions"));
    double next = 0;
    for (PlacementWatch.Sample s : samples) {
      if (s.seconds() + 1e-9 < next) {
        continue;
      }
      next = Math.floor(s.seconds() / everySeconds) * everySeconds + everySeconds;
      t.add(List.of(Fmt.num(s.seconds(), 0), phaseAt(marks, s.seconds()), Integer.toString(s.workers()),
          Integer.toString(s.modelsReady()), Integer.toString(s.copiesReady()),
          Integer.toString(s.copies().getOrDefault(hottest, 0)),
          s.limitBytes() == 0 ? "n/a" : Fmt.ratio((double) s.usedBytes() / s.limitBytes()),
          Long.toString(s.coldLoads()), Long.toString(s.added()), Long.toString(s.removed()),
          Long.toString(s.evictions())));
    }
    return t;
  }

  static String phaseAt(List<Mark> marks, double seconds) {
    String phase = "start";
    for (Mark m : marks.stream().sorted(java.util.Comparator.comparingDouble(Mark::fromSeconds)).toList()) {
      if (seconds >= m.fromSeconds()) {
        phase = m.phase();
      }
    }
    return phase;
  }

  static String pct(double share) {
    return Fmt.num(100 * share, 1);
  }

  static String markdown(Settings s, String machine, String command, Pool pool, Added added, Canary canary,
      List<PlacementWatch.Sample> samples, List<Mark> marks, String took) {
    StringBuilder sb = new StringBuilder("# Resource-aware placement\n\n");
    sb.append(machine).append(". Took ").append(took).append(s.quick() ? " (--quick: a check that everything "
        + "works, not a measurement)" : "").append(".\n\nCommand: `").append(command).append("`\n\n");
    sb.append(String.format(Locale.ROOT, """
        One cluster on 127.0.0.1, every process the real fat jar: 1 gateway with API keys on (the default; the \
        bench's key, limit never reached) and %d worker processes in placed mode \
        (`worker.model_control_mode=placed`), each one SIMULATED slot `{"device": "sim", "sim_base_ms": %d, \
        "sim_per_item_ms": 0, "memory_limit_mb": %d, "sim_model_mb": %d}`: a budget of %d MiB and %d MiB per model \
        version, so %d versions per worker and %d over the pool; a request holds its model's one instance %d ms, so \
        one copy serves at most %d req/s. Workers announce every %d ms (the default); placement runs at its \
        defaults (a decision every 250 ms, a copy more for a version whose requests held per copy stay above 4 \
        for 2 s, idle copies beyond one removed after 60 s). The repository holds %d models `m00`..`m%02d`, each a \
        copy of `conf/models/simple` (one instance, no dynamic batching), and `canary` (below), generated at run \
        time into `bench/target/placement/models`.

        **zipf**: an open loop of %s req/s over REST JSON, each request for a model drawn from a Zipf(s = %s) \
        over the %d models (ranks shuffled onto the names with a fixed seed, the same mix every run), %d s of \
        warm-up (the pool starts empty: the first requests load it), then %d s measured. The rate is chosen so \
        that the hottest model (%s %% of requests: %s req/s) needs more than one copy (%s × what one copy \
        serves): its queue per copy rises above the threshold and placement must add a copy, while the machine \
        (2 cores, %d JVMs) keeps up. **added**: the same load goes on for %d s, a worker process more starting %d \
        s in. **canary**: %s unversioned requests, %d in flight, to `canary` (versions 1 and 2, \
        `version_policy: {all: {}}`, `traffic: {"2": 10, "1": 90}`, %d instances so that it is quick).

        "No load" (a request served without waiting for a cold load): the gateway counts each request that \
        waited for a version loaded nowhere (`maas_placement_cold_waits_total` on its `/metrics`); its share of \
        the requests the gateway answered (`maas_gateway_requests_total`), both read at the start and the end \
        of the measured window, is the gateway's figure. The client's guess, beside it: the answers to requests \
        sent while the last placement view (read every %d ms) showed no worker holding their model READY (it \
        lags the view by up to %d ms and an announcement, so it is a guess). Memory: every view's \
        `memory_used_bytes` against `memory_limit_bytes` of every worker, over the whole run.
        """, s.workers(), s.simBaseMs(), s.budgetMb(), s.modelMb(), s.budgetMb(), s.modelMb(),
        s.budgetMb() / Math.max(1, s.modelMb()), s.workers() * (s.budgetMb() / Math.max(1, s.modelMb())),
        s.simBaseMs(), 1000 / Math.max(1, s.simBaseMs()), s.announceMs(), s.models(), s.models() - 1,
        Fmt.num(s.rate(), 0), Fmt.num(s.zipfS(), 1), s.models(), s.warmUpS(), s.measureS(),
        pct(pool.hottest().expectedShare()), Fmt.num(s.rate() * pool.hottest().expectedShare(), 1),
        Fmt.ratio(s.rate() * pool.hottest().expectedShare() / (1000.0 / Math.max(1, s.simBaseMs()))),
        s.workers() + 2, s.addRunS(), s.addAfterS(), Fmt.count(s.canaryRequests()), s.canaryConcurrency(),
        s.canaryInstances(), s.pollMs(), s.pollMs()));
    sb.append("\n## Goals\n\n").append(Reports.goals(goals(pool, added, canary)).markdown());
    sb.append(String.format(Locale.ROOT, """

        A bound on the second goal: with %d copies in the pool, the %d most popular models take %s %% of a \
        Zipf(%s) mix over %d models (%s %% for the %d most popular, the hottest holding two copies). Every request \
        for any other model finds it loaded nowhere unless an earlier request loaded it and it was not evicted \
        since.%s
        """, s.workers() * (s.budgetMb() / Math.max(1, s.modelMb())), s.workers() * (s.budgetMb() / Math.max(1,
        s.modelMb())), pct(pool.topShare12()), Fmt.num(s.zipfS(), 1), s.models(), pct(pool.topShare11()),
        s.workers() * (s.budgetMb() / Math.max(1, s.modelMb())) - 1, pool.topShare12() < MIN_WARM_SHARE
            ? " So on this pool the ≥ 90 % goal asks for more than keeping the most popular models resident can give."
            : ""));
    sb.append("\n## Load\n\n").append(phases(List.of(pool.phase(), added.phase())).markdown());
    sb.append("\nBy whether the last view showed the request's model READY on some worker when it was sent (latency "
        + "from the send):\n\n").append(byReadiness(List.of(pool.phase(), added.phase())).markdown());
    sb.append("\nLatency from each request's intended start (open loop). \"failed outside\": failures outside the "
        + "measured window (the warm-up, answers after its end), not in \"failed\". The canary: ");
    sb.append(String.format(Locale.ROOT, "%s requests in %s s (%s req/s), p50 %s ms, p99 %s ms, %d failed.%n",
        Fmt.count(canary.load().successes() + canary.load().failures()), Fmt.num(canary.load().seconds(), 1),
        Fmt.num(canary.load().requestsPerSecond(), 1), Fmt.ms(canary.load().millis(50)),
        Fmt.ms(canary.load().millis(99)), canary.load().failures()));
    sb.append("\n## The Zipf mix and the copies\n\n").append(ranks(pool.ranks(), 15).markdown())
        .append(String.format(Locale.ROOT, "%nThe 15 most popular of %d; the rest take %s %% together. Latency from "
            + "the send (the generator's pool may hold a request before it).%n",
            pool.ranks().size(), pct(1 - pool.ranks().stream().limit(15).mapToDouble(Rank::expectedShare).sum())));
    sb.append("\n## Workers\n\nThe highest `memory_used_bytes / memory_limit_bytes` each showed:\n\n");
    Table workers = new Table(List.of("<worker", "max used / budget"));
    pool.maxRatioByWorker().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> workers.add(List.of(e.getKey(), Fmt.ratio(e.getValue()))));
    sb.append(workers.markdown());
    sb.append(String.format(Locale.ROOT, "%nThe worker added: `%s`, its process started at %s s, listed in the view at "
            + "%s s, first READY version at %s s (seconds since the watch started).%n", added.workerId(),
        Fmt.num(added.startedMs() / 1000.0, 1), added.seenMs() == null ? "never" : Fmt.num(added.seenMs() / 1000.0, 1),
        added.readyMs() == null ? "never" : Fmt.num(added.readyMs() / 1000.0, 1)));
    sb.append("\n## Timeline\n\nFrom the placement view, every 5 s (totals over the workers; cold loads, added, "
        + "removed and evictions count since each worker started, or since placement began).\n\n")
        .append(timeline(samples, marks, pool.hottest().model(), 5).markdown());
    StringBuilder failures = new StringBuilder();
    for (Phase p : List.of(pool.phase(), added.phase())) {
      p.failureKinds().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> failures.append("- ").append(p.name()).append(", ").append(Fmt.count(e.getValue()))
              .append(" × ").append(e.getKey()).append('\n'));
    }
    if (!canary.load().firstFailures().isEmpty()) {
      failures.append("- canary: ").append(String.join(" / ", canary.load().firstFailures())).append('\n');
    }
    if (failures.length() > 0) {
      sb.append("\n## Failures\n\nEvery failure of each phase, warm-up included, by its message (the model's name "
          + "left out):\n\n").append(failures);
    }
    sb.append(String.format(Locale.ROOT, "%nPlacement views read: %s, %s failed.%n", Fmt.count(pool.polls()),
        Fmt.count(pool.failedPolls())));
    return sb.toString();
  }

  static String csv(Pool pool, Added added) {
    return phases(List.of(pool.phase(), added.phase())).csv();
  }
}
