package io.maas.gateway.placement;

import io.maas.config.PlacementConfig;
import io.maas.model.Replicas;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One placement decision, a pure function of the pool, the current assignment and the demand (no clock, no
 * cluster: the {@link Placer} supplies them), in the spirit of ModelMesh's cache of models over a pool of runtimes.
 *
 * <ol>
 *   <li>What cannot stay goes: copies on workers that left (they are simply not in the pool), of versions a worker
 *       no longer lists or failed to load, of models unloaded through the API; on a worker over its budget (a
 *       measured footprint above its estimate) the least recently used idle copies go until it fits.
 *   <li>Each version's number of copies is kept within {@code [floor, max]}: the floor is its {@code replicas.min},
 *       and at least 1 while requests wait for it or it has taken requests within
 *       {@code placement_scale_down_idle_ms}; the max is {@code replicas.max} (0: the pool's size).
 *   <li>Scale by traffic: a version whose requests held per copy stayed above {@code placement_scale_up_queue} for
 *       {@code placement_scale_up_after_ms} gains a copy; a copy beyond the floor (and beyond 1) that took no
 *       request for {@code placement_scale_down_idle_ms} goes, one per decision. The last copy of a version with
 *       {@code replicas.min} 0 stays, cached, until its room is needed.
 *   <li>Each copy to add goes, busy versions' scale-ups first (their queues hold the most requests), then waiting
 *       requests' versions (first asked, first placed), then {@code replicas.min} shortfalls, to the worker that can
 *       hold it with room for its footprint there and the fewest requests held. If none has room, copies that may go
 *       (idle on that worker for {@link #IDLE_MS}, above their version's {@code replicas.min}, and used there since
 *       they were placed or placed more than {@link #PROTECT_MS} ago) are evicted, those taking the fewest requests
 *       a second first and the least recently used among equals, on the worker where the copies to go take the
 *       fewest requests; a version that fits nowhere is reported with the reason.
 * </ol>
 * No worker is ever assigned more than its budget.
 */
final class PlacementPlan {
  /**
   * A copy placed this recently is not evicted until it has taken a request there: it may not have served the
   * request it was placed for yet.
   */
  static final long PROTECT_MS = 5000;
  private static final long MB = 1024 * 1024;
  /**
   * A copy is idle, and may be evicted, when it holds no request and had taken none for this long when its worker
   * last announced: a copy taking requests a few times a second may hold none at the moment it is sampled.
   */
  static final long IDLE_MS = 1000;

  /** What a decision changed on one worker. */
  enum Kind {
    ADDED("added", "placing", "on"), REMOVED("removed", "removing", "from"), EVICTED("evicted", "evicting", "from");

    /** As the metric's {@code change} label and the placement view's counts name it. */
    final String word;
    /** As the log says it: "placing m/1 on w". */
    final String doing;
    final String preposition;

    Kind(String word, String doing, String preposition) {
      this.word = word;
      this.doing = doing;
      this.preposition = preposition;
    }
  }

  record Change(String workerId, Unit unit, Kind kind, String reason) {}

  /**
   * @param assignment worker id to the versions it is to hold, each with when it was placed there (ms)
   * @param unplaced versions that need a copy (waiting requests, {@code replicas.min}) they could not get, and why
   */
  record Decision(Map<String, Map<Unit, Long>> assignment, List<Change> changes, Map<Unit, String> unplaced) {
    /** The versions that cannot be placed while the pool stays as it is (too large for every budget). */
    Map<Unit, String> hopeless() {
      Map<Unit, String> out = new LinkedHashMap<>();
      unplaced.forEach((u, reason) -> {
        if (reason.startsWith(TOO_LARGE)) {
          out.put(u, reason);
        }
      });
      return out;
    }
  }

  /** How the reason for a version larger than every budget starts. */
  static final String TOO_LARGE = "it needs ";

  private final PlacementConfig config;

  PlacementPlan(PlacementConfig config) {
    this.config = config;
  }

  /**
   * @param pool the placed workers that may take work now
   * @param current the assignment as it stands (worker id to version to when placed)
   * @param replicas each model's replicas policy
   * @param unwanted models unloaded through the repository API
   * @param demand versions requests wait for, with when they first asked (ms): the first asked is placed first
   * @param hotSince versions whose queue per copy is above the threshold, with since when (kept by the caller
   *     between decisions; updated here)
   */
  Decision decide(List<PoolWorker> pool, Map<String, Map<Unit, Long>> current, Function<String, Replicas> replicas,
      Predicate<String> unwanted, Map<Unit, Long> demand, Map<Unit, Long> hotSince, long now) {
    Run run = new Run(pool, replicas, now);
    for (PoolWorker w : pool) {
      Map<Unit, Long> held = new TreeMap<>(current.getOrDefault(w.id(), Map.of()));
      run.next.put(w.id(), held);
      for (Unit u : List.copyOf(held.keySet())) {
        if (!w.canHold(u) || unwanted.test(u.model())) {
          held.remove(u);
          run.changes.add(new Change(w.id(), u, Kind.REMOVED, unwanted.test(u.model()) ? "unloaded through the API"
              : w.failed().contains(u) ? "failed to load there" : "no longer in its repository"));
        }
      }
      run.fitBudget(w);
    }
    Set<Unit> units = new TreeSet<>();
    pool.forEach(w -> w.listed().keySet().stream().filter(w::canHold).filter(u -> !unwanted.test(u.model()))
        .forEach(units::add));
    hotSince.keySet().retainAll(units);

    List<Unit> waiting = new ArrayList<>();
    List<Unit> belowMin = new ArrayList<>();
    List<Unit> hot = new ArrayList<>();
    for (Unit u : units) {
      int count = run.count(u);
      Replicas r = replicas.apply(u.model());
      int capable = (int) pool.stream().filter(w -> w.canHold(u)).count();
      int max = Math.max(r.maxIn(capable), Math.min(r.min(), capable));
      boolean demanded = demand.containsKey(u); // the caller drops demands no longer asked
      boolean active = run.inFlight(u) > 0 || now - run.lastUsed(u) < config.scaleDownIdleMillis();
      int floor = Math.max(r.min(), (demanded && count == 0) || (active && count > 0) ? 1 : 0);
      // scale up on the queue per copy
      if (count > 0 && (double) run.inFlight(u) / count > config.scaleUpQueue()) {
        long since = hotSince.computeIfAbsent(u, k -> now);
        if (now - since >= config.scaleUpAfterMillis() && count < max) {
          hot.add(u);
        }
      } else {
        hotSince.remove(u);
      }
      // scale down: over the max, or an idle copy beyond the floor (and beyond the one cached copy)
      int excess = count - max;
      for (int i = 0; i < excess; i++) {
        run.removeMostIdle(u, "over replicas.max " + max, false);
      }
      if (excess <= 0 && count > Math.max(floor, 1)) {
        run.removeMostIdle(u, "idle " + config.scaleDownIdleMillis() / 1000 + " s", true);
      }
      if (count == 0 && floor > 0 && demanded) {
        waiting.add(u);
      } else if (count < floor) {
        belowMin.add(u);
      }
    }
    Map<Unit, String> unplaced = new LinkedHashMap<>();
    // a version whose queue overflows its copies first: more requests wait on it than on a version loaded nowhere
    hot.sort(Comparator.comparingDouble((Unit u) -> (double) run.inFlight(u) / Math.max(1, run.count(u))).reversed());
    for (Unit u : hot) {
      if (run.add(u, 1, "queue above " + config.scaleUpQueue() + " per copy").isEmpty()) {
        hotSince.put(u, now); // the next copy needs a full period of its own; no room: it tries again next time
      }
    }
    waiting.sort(Comparator.comparingLong(demand::get));
    for (Unit u : waiting) {
      run.add(u, 1, "a request waits for it").ifPresent(reason -> unplaced.put(u, reason));
    }
    for (Unit u : belowMin) {
      Replicas r = replicas.apply(u.model());
      int need = Math.max(r.min(), 1) - run.count(u);
      int capable = (int) pool.stream().filter(w -> w.canHold(u)).count();
      run.add(u, Math.min(need, capable - run.count(u)), "replicas.min " + r.min()).ifPresent(reason -> unplaced.put(u,
          reason));
      if (r.min() > capable && !unplaced.containsKey(u)) {
        unplaced.put(u, "replicas.min " + r.min() + " but only " + capable + " worker(s) can hold it: placed "
            + run.count(u));
      }
    }
    return new Decision(run.next, run.changes, unplaced);
  }

  /** One decision's working state. */
  private final class Run {
    final Map<String, PoolWorker> pool = new LinkedHashMap<>();
    final Function<String, Replicas> replicas;
    final long now;
    final Map<String, Map<Unit, Long>> next = new LinkedHashMap<>();
    final List<Change> changes = new ArrayList<>();
    final Map<Unit, Integer> inFlight = new HashMap<>();
    final Map<Unit, Long> lastUsed = new HashMap<>();

    Run(List<PoolWorker> workers, Function<String, Replicas> replicas, long now) {
      workers.forEach(w -> pool.put(w.id(), w));
      this.replicas = replicas;
      this.now = now;
      for (PoolWorker w : workers) {
        w.listed().forEach((u, use) -> {
          inFlight.merge(u, use.inFlight(), Integer::sum);
          lastUsed.merge(u, use.lastUsedMillis(), Math::max);
        });
      }
    }

    int count(Unit u) {
      int n = 0;
      for (Map<Unit, Long> held : next.values()) {
        n += held.containsKey(u) ? 1 : 0;
      }
      return n;
    }

    int inFlight(Unit u) {
      return inFlight.getOrDefault(u, 0);
    }

    long lastUsed(Unit u) {
      return lastUsed.getOrDefault(u, 0L);
    }

    long used(PoolWorker w) {
      long sum = 0;
      for (Unit u : next.get(w.id()).keySet()) {
        sum += w.footprint(u);
      }
      return sum;
    }

    /**
     * A worker over its budget (a footprint measured above its estimate) drops its least recently used copies that
     * may be evicted, and then, if it is still over, its least recently used copies whatever they are: the budget
     * comes first (an unloaded copy finishes what it runs; later requests go to another copy or load it again).
     */
    void fitBudget(PoolWorker w) {
      while (used(w) > w.budgetBytes()) {
        Unit victim = evictable(w, null).stream().findFirst()
            .or(() -> next.get(w.id()).keySet().stream().max(Comparator.comparingLong(w::idleFor)))
            .orElseThrow();
        evict(w, victim, "over its budget");
      }
    }

    /** The copies on a worker that may be evicted for {@code forUnit}, least recently used first. */
    List<Unit> evictable(PoolWorker w, Unit forUnit) {
      return next.get(w.id()).entrySet().stream()
          .filter(e -> !e.getKey().equals(forUnit))
          .filter(e -> now - e.getValue() >= PROTECT_MS || w.lastUsed(e.getKey()) >= e.getValue())
          .filter(e -> w.inFlight(e.getKey()) == 0 && w.idleFor(e.getKey()) >= IDLE_MS)
          .filter(e -> count(e.getKey()) > replicas.apply(e.getKey().model()).min())
          .map(Map.Entry::getKey)
          .sorted(Comparator.comparingDouble(w::rate).thenComparing(Comparator.comparingLong(w::idleFor).reversed()))
          .toList();
    }

    void evict(PoolWorker w, Unit u, String why) {
      next.get(w.id()).remove(u);
      changes.add(new Change(w.id(), u, Kind.EVICTED, why));
    }

    /** Removes the copy of a version that took a request least recently (only one idle that long, if asked). */
    void removeMostIdle(Unit u, String why, boolean idleOnly) {
      pool.values().stream()
          .filter(w -> next.get(w.id()).containsKey(u))
          .filter(w -> w.inFlight(u) == 0)
          .filter(w -> !idleOnly || (now - w.lastUsed(u) >= config.scaleDownIdleMillis()
              && now - next.get(w.id()).get(u) >= config.scaleDownIdleMillis()))
          .min(Comparator.comparingLong(w -> w.lastUsed(u)))
          .ifPresent(w -> {
            next.get(w.id()).remove(u);
            changes.add(new Change(w.id(), u, Kind.REMOVED, why));
          });
    }

    /** Adds up to {@code copies} copies of a version; the reason it could not place one, if so. */
    java.util.Optional<String> add(Unit u, int copies, String why) {
      for (int i = 0; i < copies; i++) {
        java.util.Optional<String> refused = addOne(u, why);
        if (refused.isPresent()) {
          return refused;
        }
      }
      return java.util.Optional.empty();
    }

    private java.util.Optional<String> addOne(Unit u, String why) {
      List<PoolWorker> candidates = pool.values().stream()
          .filter(w -> w.canHold(u) && !next.get(w.id()).containsKey(u)).toList();
      if (candidates.isEmpty()) {
        return java.util.Optional.of("no worker that could hold it is free of it");
      }
      PoolWorker roomy = candidates.stream()
          .filter(w -> w.budgetBytes() - used(w) >= w.footprint(u))
          .min(Comparator.comparingInt(PoolWorker::load).thenComparingLong(w -> used(w) - w.budgetBytes()))
          .orElse(null);
      if (roomy != null) {
        place(roomy, u, why);
        return java.util.Optional.empty();
      }
      // evict: on the worker where the copies to go take the fewest requests, then have been idle longest
      PoolWorker best = null;
      List<Unit> bestVictims = null;
      double bestRate = Double.MAX_VALUE;
      long bestIdle = -1;
      for (PoolWorker w : candidates) {
        if (w.footprint(u) > w.budgetBytes()) {
          continue;
        }
        long room = w.budgetBytes() - used(w);
        List<Unit> victims = new ArrayList<>();
        double rate = 0;
        long idle = Long.MAX_VALUE;
        for (Unit v : evictable(w, u)) {
          if (room >= w.footprint(u)) {
            break;
          }
          victims.add(v);
          room += w.footprint(v);
          rate += w.rate(v);
          idle = Math.min(idle, w.idleFor(v));
        }
        if (room >= w.footprint(u) && (rate < bestRate || (rate == bestRate && idle > bestIdle))) {
          best = w;
          bestVictims = victims;
          bestRate = rate;
          bestIdle = idle;
        }
      }
      if (best == null) {
        long largest = candidates.stream().mapToLong(PoolWorker::budgetBytes).max().orElse(0);
        long needs = candidates.stream().mapToLong(w -> w.footprint(u)).min().orElse(0);
        if (needs > largest) {
          return java.util.Optional.of("it needs " + needs / MB + " MiB and the largest budget of a worker that could "
              + "hold it is " + largest / MB + " MiB");
        }
        return java.util.Optional.of("no room: the workers that could hold it are full of versions in use, just placed "
            + "for requests that wait, or kept by their replicas.min");
      }
      for (Unit v : bestVictims) {
        evict(best, v, String.format(java.util.Locale.ROOT, "room for %s; it took %.1f requests/s there, idle %d ms",
            u, best.rate(v), best.idleFor(v)));
      }
      place(best, u, why);
      return java.util.Optional.empty();
    }

    private void place(PoolWorker w, Unit u, String why) {
      next.get(w.id()).put(u, now);
      changes.add(new Change(w.id(), u, Kind.ADDED, why));
    }
  }

  /** The versions a worker is to hold, by model, as an assignment lists them. */
  static Map<String, List<String>> byModel(Map<Unit, Long> held) {
    Map<String, List<String>> out = new TreeMap<>();
    held.keySet().forEach(u -> out.computeIfAbsent(u.model(), k -> new ArrayList<>()).add(u.version()));
    return out;
  }

  /** Models with a copy somewhere. */
  static Set<String> placedModels(Map<String, Map<Unit, Long>> assignment) {
    Set<String> out = new HashSet<>();
    assignment.values().forEach(m -> m.keySet().forEach(u -> out.add(u.model())));
    return out;
  }
}
