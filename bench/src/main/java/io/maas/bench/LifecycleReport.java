package io.maas.bench;

import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables and goals of {@link LifecycleBench}: memory over load/unload cycles, first requests with and
 * without warmup.
 */
final class LifecycleReport {
  /** Issue 12: the worker's RSS after the last cycle within +10 % of after the first. */
  static final double MAX_RSS_RATIO = 1.10;
  private static final Pattern NMT_LINE = Pattern.compile("-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
  private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

  private LifecycleReport() {}

  /**
   * @param cycles load/unload cycles of part (a)
   * @param loads rounds of part (b)
   * @param fresh rounds of part (c)
   * @param slot the worker's slot, as set
   * @param text the text of every measured request
   * @param warmup the warmup section of the model with warmup
   */
  record Settings(int cycles, int loads, int fresh, String slot, String text, String warmup) {}

  /**
   * One load/unload cycle of part (a), and the worker's memory once it ended.
   *
   * @param rssKb the worker's resident set ({@code VmRSS}), once the unload answered
   * @param heapRssKb the part of it in the Java heap's reservation (the heap pages touched so far)
   * @param heapUsed the worker's Java heap in use (bytes, from its /metrics), NaN when not read
   * @param heapCommitted the worker's Java heap committed (bytes), NaN when not read
   */
  record Cycle(int n, double loadMs, double firstMs, double unloadMs, long rssKb, long heapRssKb, double heapUsed,
      double heapCommitted) {
    /** The resident set outside the Java heap: ONNX Runtime, the tokenizer, JVM metadata, code, threads. */
    long outsideHeapKb() {
      return rssKb - heapRssKb;
    }
  }

  /**
   * One load of part (b), or one new worker of part (c).
   *
   * @param freshWorker part (c): the first load in a new worker process
   * @param loadMs the load API's answer
   * @param firstInWorkerMs the first request's time in the worker (its statistics), of {@code firstMs}
   */
  record Load(boolean warmup, boolean freshWorker, int round, double loadMs, double firstMs, double firstInWorkerMs,
      double secondMs) {}

  /**
   * The worker's native memory tracking summary after one cycle: what the JVM itself committed, by category.
   *
   * @param committedKb category to committed kB, in the summary's order, "Total" first
   */
  record Nmt(int cycle, long rssKb, Map<String, Long> committedKb) {
    static Nmt parse(int cycle, long rssKb, String summary) {
      Map<String, Long> committed = new LinkedHashMap<>();
      Matcher total = NMT_TOTAL.matcher(summary);
      if (total.find()) {
        committed.put("Total", Long.parseLong(total.group(2)));
      }
      Matcher m = NMT_LINE.matcher(summary);
      while (m.find()) {
        committed.put(m.group(1).trim(), Long.parseLong(m.group(3)));
      }
      return new Nmt(cycle, rssKb, committed);
    }

    long committed(String category) {
      return committedKb.getOrDefault(category, 0L);
    }
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  private static double[] of(List<Load> loads, boolean fresh, boolean warmup, ToDoubleFunction<Load> f) {
    return loads.stream().filter(l -> l.freshWorker() == fresh && l.warmup() == warmup).mapToDouble(f).toArray();
  }

  /** The least-squares slope of RSS (MB per cycle) over the cycles from {@code from} on: growth that keeps going. */
  static double rssSlopeMb(List<Cycle> cycles, int from) {
    List<Cycle> tail = cycles.stream().filter(c -> c.n() >= from).toList();
    if (tail.size() < 2) {
      return Double.NaN;
    }
    double mx = tail.stream().mapToDouble(Cycle::n).average().orElseThrow();
    double my = tail.stream().mapToDouble(c -> c.rssKb() / 1024.0).average().orElseThrow();
    double num = 0;
    double den = 0;
    for (Cycle c : tail) {
      num += (c.n() - mx) * (c.rssKb() / 1024.0 - my);
      den += (c.n() - mx) * (c.n() - mx);
    }
    return num / den;
  }

  static List<Goal> goals(List<Cycle> cycles, List<Load> loads) {
    List<Goal> goals = new ArrayList<>();
    if (cycles.isEmpty()) {
      goals.add(new Goal("lifecycle", "worker RSS after the last load/unload cycle ≤ 1.10 × after the first",
          "no cycle ran", null));
    } else {
      Cycle first = cycles.get(0);
      Cycle last = cycles.get(cycles.size() - 1);
      double ratio = (double) last.rssKb() / first.rssKb();
      goals.add(new Goal("lifecycle", String.format(Locale.ROOT, "(a) %d load/unload cycles of MiniLM: worker RSS "
              + "after the last ≤ 1.10 × after the first", cycles.size()),
          String.format(Locale.ROOT, "%s × (%s / %s MB)", Fmt.ratio(ratio), Fmt.num(last.rssKb() / 1024.0, 0),
              Fmt.num(first.rssKb() / 1024.0, 0)),
          ratio <= MAX_RSS_RATIO));
    }
    goals.add(firstRequest(loads, false, "(b) first request after a load of MiniLM in a running worker"));
    goals.add(firstRequest(loads, true, "(c) first request after a load of MiniLM in a new worker"));
    return goals;
  }

  private static Goal firstRequest(List<Load> loads, boolean fresh, String what) {
    double with = median(of(loads, fresh, true, Load::firstMs));
    double without = median(of(loads, fresh, false, Load::firstMs));
    return new Goal("lifecycle", what + ": p50 with warmup < p50 without",
        String.format(Locale.ROOT, "%s ms with, %s ms without (%s ×)", Fmt.ms(with), Fmt.ms(without),
            Fmt.ratio(with / without)),
        Double.isNaN(with) || Double.isNaN(without) ? null : with < without);
  }

  static String markdown(Settings s, String machine, List<Cycle> cycles, List<Load> loads, List<Nmt> nmt,
      String took) {
    StringBuilder sb = new StringBuilder("# Model lifecycle: load/unload cycles and warmup (MiniLM)\n\n");
    sb.append(String.format(Locale.ROOT, "%s; the run took %s. A gateway process and a worker process (the "
            + "real fat jar, API keys off, `-Xmx512m` as every bench process) on 127.0.0.1; the worker has one slot "
            + "`%s` (every other session setting as in `conf/maas.yaml`). Parts (a) and (b) run in one worker that "
            + "loads nothing at start: models are loaded and unloaded through the repository API (`POST "
            + "/v2/repository/models/{m}/load`, `/unload`, which answer once the worker made the change); after a "
            + "load the bench polls `/v2/models/{m}/ready` until the gateway routes to it, then sends one request at "
            + "a time: REST JSON, the text \"%s\", asking for the pooled `embedding`. Latencies are the client's (JDK "
            + "HttpClient, one kept-alive connection to the gateway).%n%n",
        machine, took, s.slot(), s.text()));
    sb.append("Both models are the MiniLM of `conf/models` (`max_batch_size: 32`, `dynamic_batching`, its text "
        + "section); `minilm_warm` adds\n\n```yaml\n").append(s.warmup()).append("```\n\n");
    sb.append("## Goals\n\n| goal | measured | verdict |\n|---|---|---|\n");
    for (Goal g : goals(cycles, loads)) {
      sb.append("| ").append(g.goal()).append(" | ").append(g.measured()).append(" | **").append(g.verdict())
          .append("** |\n");
    }
    cyclesSection(sb, cycles, nmt);
    sb.append(String.format(Locale.ROOT, "%n## (b) First request after a load, with and without warmup%n%n%d "
        + "rounds in the worker of part (a), each loading both models one after the other (the order alternating "
        + "round by round), each load followed by two requests, then an unload. Load: the load API's answer "
        + "(the warmup runs inside it).%n%n", s.loads()));
    loadTable(sb, loads, false, "load p50 ms");
    sb.append(String.format(Locale.ROOT, "%n## (c) First request after a load in a new worker, with and without "
        + "warmup%n%n%d rounds, each starting a new worker process (loading nothing) for each model in turn (the "
        + "order alternating; part (a)'s worker stopped): once the gateway routes to it, the model is loaded "
        + "through the API, two requests, the model unloaded and the worker stopped. What a first request meets in "
        + "a worker that just started: no class of the request path loaded, nothing compiled.%n%n", s.fresh()));
    loadTable(sb, loads, true, "load p50 ms");
    return sb.toString();
  }

  private static void loadTable(StringBuilder sb, List<Load> loads, boolean fresh, String loadHeader) {
    sb.append("| model | warmup | loads | ").append(loadHeader)
        .append(" | first request p50 ms | min | max | of it in the worker, p50 ms | second request p50 ms |\n")
        .append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (boolean warm : new boolean[] {false, true}) {
      double[] first = of(loads, fresh, warm, Load::firstMs);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |%n",
          warm ? LifecycleBench.WARM : LifecycleBench.COLD, warm ? "yes" : "no", first.length,
          Fmt.ms(median(of(loads, fresh, warm, Load::loadMs))), Fmt.ms(median(first)),
          Fmt.ms(Arrays.stream(first).min().orElse(Double.NaN)), Fmt.ms(Arrays.stream(first).max().orElse(Double.NaN)),
          Fmt.ms(median(of(loads, fresh, warm, Load::firstInWorkerMs))),
          Fmt.ms(median(of(loads, fresh, warm, Load::secondMs)))));
    }
  }

  private static void cyclesSection(StringBuilder sb, List<Cycle> cycles, List<Nmt> nmt) {
    sb.append(String.format(Locale.ROOT, "%n## (a) %d load/unload cycles%n%n", cycles.size()));
    sb.append("Each cycle loads `minilm_warm` (its warmup included), sends one request, unloads it; the worker's "
        + "resident set (`VmRSS` of `/proc/<pid>/status`), the part of it in the Java heap's address range (the "
        + "resident pages of `/proc/<pid>/smaps` within the range `jcmd <pid> GC.heap_info` gives) and the rest, and "
        + "the Java heap used and committed (its `/metrics`) are read once the unload answered. Every cycle is in "
        + "`lifecycle.csv`.\n\n");
    sb.append("| cycle | RSS MB | in the Java heap MB | outside it MB | heap used MB | heap committed MB | load ms "
            + "| first request ms | unload ms |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Cycle c : cycles) {
      if (c.n() <= 5 || c.n() % 10 == 0 || c.n() == cycles.size()) {
        sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", c.n(),
            Fmt.num(c.rssKb() / 1024.0, 1), Fmt.num(c.heapRssKb() / 1024.0, 1), Fmt.num(c.outsideHeapKb() / 1024.0, 1),
            Fmt.num(c.heapUsed() / (1 << 20), 1), Fmt.num(c.heapCommitted() / (1 << 20), 1), Fmt.ms(c.loadMs()),
            Fmt.ms(c.firstMs()), Fmt.ms(c.unloadMs())));
      }
    }
    if (cycles.size() > 1) {
      Cycle first = cycles.get(0);
      Cycle last = cycles.get(cycles.size() - 1);
      sb.append(String.format(Locale.ROOT, "%nFrom the first cycle to the last: RSS %s → %s MB (%s ×), of which "
              + "in the Java heap %s → %s MB and outside it %s → %s MB (%s ×).%n", mb(first.rssKb()), mb(last.rssKb()),
          Fmt.ratio((double) last.rssKb() / first.rssKb()), mb(first.heapRssKb()), mb(last.heapRssKb()),
          mb(first.outsideHeapKb()), mb(last.outsideHeapKb()),
          Fmt.ratio((double) last.outsideHeapKb() / first.outsideHeapKb())));
    }
    if (cycles.size() > 20) {
      Cycle twenty = cycles.get(19);
      Cycle last = cycles.get(cycles.size() - 1);
      sb.append(String.format(Locale.ROOT, "RSS trend (least squares) over cycles 10 to %d: %s MB per cycle; over "
              + "cycles 20 to %d: %s MB per cycle (after the 20th: %s ×, %s → %s MB).%n", cycles.size(),
          Fmt.num(rssSlopeMb(cycles, 10), 2), cycles.size(), Fmt.num(rssSlopeMb(cycles, 20), 2),
          Fmt.ratio((double) last.rssKb() / twenty.rssKb()), Fmt.num(twenty.rssKb() / 1024.0, 0),
          Fmt.num(last.rssKb() / 1024.0, 0)));
    }
    if (nmt.size() == 2) {
      nmtTable(sb, nmt.get(0), nmt.get(1));
    }
  }

  /** What the JVM committed by category after the first and the last cycle, and what it does not account for. */
  private static void nmtTable(StringBuilder sb, Nmt a, Nmt b) {
    sb.append(String.format(Locale.ROOT, "%nWhere the memory is: the worker's native memory tracking "
        + "(`-XX:NativeMemoryTracking=summary`, `jcmd <pid> VM.native_memory summary`; the full summaries are in "
        + "`bench/target/lifecycle/logs/`), committed MB after cycle %d and cycle %d (categories of 1 MB or "
        + "more). NMT counts what the JVM itself reserves and commits (committed heap pages may not be resident "
        + "yet); ONNX Runtime's and the tokenizer's allocations are outside it.%n%n", a.cycle(), b.cycle()));
    sb.append(String.format(Locale.ROOT, "| | cycle %d | cycle %d | change |%n|---|---:|---:|---:|%n", a.cycle(),
        b.cycle()));
    Set<String> categories = new LinkedHashSet<>(a.committedKb().keySet());
    categories.addAll(b.committedKb().keySet());
    for (String c : categories) {
      long x = a.committed(c);
      long y = b.committed(c);
      if (c.equals("Total") || Math.max(x, y) >= 1024) { // categories of 1 MB or more
        row(sb, c.equals("Total") ? "NMT total" : c, x, y);
      }
    }
    row(sb, "RSS", a.rssKb(), b.rssKb());
  }

  private static String mb(long kb) {
    return Fmt.num(kb / 1024.0, 0);
  }

  private static void row(StringBuilder sb, String name, long kbA, long kbB) {
    sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s%s |%n", name, Fmt.num(kbA / 1024.0, 1),
        Fmt.num(kbB / 1024.0, 1), kbB >= kbA ? "+" : "", Fmt.num((kbB - kbA) / 1024.0, 1)));
  }

  static String csv(List<Cycle> cycles, List<Load> loads) {
    StringBuilder sb = new StringBuilder("part,n,model,load_ms,first_request_ms,first_request_in_worker_ms,"
        + "second_request_ms,unload_ms,rss_kb,heap_rss_kb,heap_used_bytes,heap_committed_bytes\n");
    for (Cycle c : cycles) {
      sb.append(String.format(Locale.ROOT, "a_cycles,%d,%s,%.3f,%.3f,,,%.3f,%d,%d,%.0f,%.0f%n", c.n(),
          LifecycleBench.WARM, c.loadMs(), c.firstMs(), c.unloadMs(), c.rssKb(), c.heapRssKb(), c.heapUsed(),
          c.heapCommitted()));
    }
    for (Load l : loads) {
      sb.append(String.format(Locale.ROOT, "%s,%d,%s,%.3f,%.3f,%.3f,%.3f,,,,,%n",
          l.freshWorker() ? "c_new_worker" : "b_load", l.round(), l.warmup() ? LifecycleBench.WARM : LifecycleBench.COLD,
          l.loadMs(), l.firstMs(), l.firstInWorkerMs(), l.secondMs()));
    }
    return sb.toString();
  }
}
