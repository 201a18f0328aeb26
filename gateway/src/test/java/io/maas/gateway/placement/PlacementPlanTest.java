package io.maas.gateway.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.PlacementConfig;
import io.maas.model.Replicas;
import io.maas.model.VersionUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The placement rules, decision by decision, on pools described in memory (the decision is a pure function). */
class PlacementPlanTest {
  private static final long MB = 1024 * 1024;
  private static final long NOW = 1_000_000_000L;
  private static final PlacementConfig CONFIG = new PlacementConfig(250, 4, 2000, 60_000);
  private final PlacementPlan plan = new PlacementPlan(CONFIG);
  private final Map<Unit, Long> hot = new HashMap<>();

  /** A worker listing models m0..m(n-1) version 1, each of the footprint given; use as given per model. */
  private static PoolWorker worker(String id, long budgetMb, int models, long footprintMb, Map<String, long[]> use) {
    Map<Unit, VersionUsage> listed = new HashMap<>();
    for (int i = 0; i < models; i++) {
      String m = "m" + i;
      long[] u = use.getOrDefault(m, new long[] {0, 0});
      listed.put(new Unit(m, "1"), new VersionUsage(m, "1", footprintMb * MB, false, u[0], (int) u[1]));
    }
    return new PoolWorker(id, budgetMb * MB, listed, Set.of(), 0, NOW);
  }

  private PlacementPlan.Decision decide(List<PoolWorker> pool, Map<String, Map<Unit, Long>> current,
      Map<String, Replicas> replicas, Map<Unit, Long> demand, long now) {
    return plan.decide(pool, current, m -> replicas.getOrDefault(m, Replicas.DEFAULT), m -> false, demand, hot, now);
  }

  private static long used(PoolWorker w, Map<Unit, Long> held) {
    return held.keySet().stream().mapToLong(w::footprint).sum();
  }

  private static int copies(PlacementPlan.Decision d, Unit u) {
    return (int) d.assignment().values().stream().filter(h -> h.containsKey(u)).count();
  }

  @Test
  void aVersionRequestsWaitForIsPlacedOnTheWorkerWithRoom() {
    PoolWorker a = worker("a", 200, 4, 100, Map.of());
    PoolWorker b = worker("b", 200, 4, 100, Map.of());
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(new Unit("m0", "1"), 0L,
        new Unit("m1", "1"), 0L)));
    PlacementPlan.Decision d = decide(List.of(a, b), current, Map.of(), Map.of(new Unit("m2", "1"), NOW), NOW);
    assertTrue(d.assignment().get("b").containsKey(new Unit("m2", "1")), d.toString());
    assertEquals(2, d.assignment().get("a").size());
    assertTrue(d.unplaced().isEmpty());
  }

  @Test
  void aFullPoolEvictsTheLeastRecentlyUsedIdleVersion() {
    Map<String, long[]> use = Map.of("m0", new long[] {NOW - 50_000, 0}, "m1", new long[] {NOW - 10_000, 0});
    PoolWorker a = worker("a", 200, 4, 100, use);
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(new Unit("m0", "1"), 0L,
        new Unit("m1", "1"), 0L)));
    PlacementPlan.Decision d = decide(List.of(a), current, Map.of(), Map.of(new Unit("m2", "1"), NOW), NOW);
    assertEquals(Set.of(new Unit("m1", "1"), new Unit("m2", "1")), d.assignment().get("a").keySet());
    assertTrue(d.changes().contains(new PlacementPlan.Change("a", new Unit("m0", "1"), PlacementPlan.Kind.EVICTED,
        "room for m2/1; it took 0.0 requests/s there, idle 50000 ms")), d.changes().toString());
  }

  @Test
  void versionsInUseAtTheirMinimumOrJustPlacedAreNotEvicted() {
    Map<String, long[]> use = Map.of("m0", new long[] {NOW - 50_000, 3}); // requests held
    PoolWorker a = worker("a", 300, 5, 100, use);
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(new Unit("m0", "1"), 0L,
        new Unit("m1", "1"), 0L, new Unit("m2", "1"), NOW - 1000))); // m1: replicas.min 1; m2: placed a second ago
    PlacementPlan.Decision d = decide(List.of(a), current, Map.of("m1", new Replicas(1, 0)),
        Map.of(new Unit("m3", "1"), NOW), NOW);
    assertEquals(3, d.assignment().get("a").size());
    assertFalse(d.assignment().get("a").containsKey(new Unit("m3", "1")));
    assertTrue(d.unplaced().get(new Unit("m3", "1")).startsWith("no room"), d.unplaced().toString());
  }

  @Test
  void leastRecentlyUsedIsMeasuredAtEachWorkersOwnAnnouncement() {
    // a announced 900 ms ago: its hot m0 was used 10 ms before that; b announced just now: its m1 idle for 1.4 s
    Unit m0 = new Unit("m0", "1");
    Unit m1 = new Unit("m1", "1");
    Map<Unit, VersionUsage> onA = Map.of(m0, new VersionUsage("m0", "1", 100 * MB, false, NOW - 910, 0),
        new Unit("m2", "1"), new VersionUsage("m2", "1", 100 * MB, false, 0, 0));
    Map<Unit, VersionUsage> onB = Map.of(m1, new VersionUsage("m1", "1", 100 * MB, false, NOW - 1400, 0),
        new Unit("m2", "1"), new VersionUsage("m2", "1", 100 * MB, false, 0, 0));
    PoolWorker a = new PoolWorker("a", 100 * MB, onA, Set.of(), 0, NOW - 900);
    PoolWorker b = new PoolWorker("b", 100 * MB, onB, Set.of(), 0, NOW);
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(m0, 0L)), "b", new TreeMap<>(Map.of(m1, 0L)));
    PlacementPlan.Decision d = decide(List.of(a, b), current, Map.of(), Map.of(new Unit("m2", "1"), NOW), NOW);
    assertTrue(d.assignment().get("a").containsKey(m0), "idle 10 ms when a last said: kept");
    assertTrue(d.assignment().get("b").containsKey(new Unit("m2", "1")), "m1, idle 1.4 s, made room: " + d.changes());
  }

  @Test
  void aCopyThatTookARequestWithinASecondIsNotIdle() {
    Unit m0 = new Unit("m0", "1");
    PoolWorker busy = worker("a", 100, 2, 100, Map.of("m0", new long[] {NOW - 300, 0})); // nothing held right now
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(m0, 0L)));
    PlacementPlan.Decision d = decide(List.of(busy), current, Map.of(), Map.of(new Unit("m1", "1"), NOW), NOW);
    assertTrue(d.assignment().get("a").containsKey(m0), d.changes().toString());
    assertTrue(d.unplaced().get(new Unit("m1", "1")).startsWith("no room"), "the request waits: " + d.unplaced());
  }

  @Test
  void theCopyTakingTheFewestRequestsGoesFirst() {
    Unit m0 = new Unit("m0", "1");
    Unit m1 = new Unit("m1", "1");
    Map<Unit, VersionUsage> listed = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      listed.put(new Unit("m" + i, "1"), new VersionUsage("m" + i, "1", 100 * MB, false, NOW - 5000, 0));
    }
    // m0 took 20 requests a second until 5 s ago, m1 1 a second: m1 goes though both were used as long ago
    PoolWorker a = new PoolWorker("a", 200 * MB, listed, Set.of(), 0, NOW, Map.of(m0, 20.0, m1, 1.0));
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(m0, 0L, m1, 0L)));
    PlacementPlan.Decision d = decide(List.of(a), current, Map.of(), Map.of(new Unit("m2", "1"), NOW), NOW);
    assertEquals(Set.of(m0, new Unit("m2", "1")), d.assignment().get("a").keySet(), d.changes().toString());
  }

  @Test
  void aCopyJustPlacedMayGoOnceItServedARequest() {
    Unit m0 = new Unit("m0", "1");
    PoolWorker unused = worker("a", 100, 2, 100, Map.of());
    PoolWorker used = worker("a", 100, 2, 100, Map.of("m0", new long[] {NOW - 1500, 0}));
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(m0, NOW - 3000)));
    Map<Unit, Long> demand = Map.of(new Unit("m1", "1"), NOW);
    assertTrue(decide(List.of(unused), current, Map.of(), demand, NOW).assignment().get("a").containsKey(m0),
        "placed 3 s ago and not used yet: kept");
    assertFalse(decide(List.of(used), current, Map.of(), demand, NOW).assignment().get("a").containsKey(m0),
        "used since it was placed, idle 1.5 s since: it may go");
  }

  @Test
  void aVersionLargerThanEveryBudgetIsReportedNotPlaced() {
    PoolWorker a = worker("a", 200, 1, 500, Map.of());
    PlacementPlan.Decision d = decide(List.of(a), Map.of(), Map.of(), Map.of(new Unit("m0", "1"), NOW), NOW);
    assertTrue(d.assignment().get("a").isEmpty());
    assertEquals("it needs 500 MiB and the largest budget of a worker that could hold it is 200 MiB",
        d.unplaced().get(new Unit("m0", "1")));
  }

  @Test
  void minimumReplicasArePlacedAsFarAsThePoolAllowsAndTheShortfallReported() {
    List<PoolWorker> pool = List.of(worker("a", 500, 1, 100, Map.of()), worker("b", 500, 1, 100, Map.of()));
    PlacementPlan.Decision d = decide(pool, Map.of(), Map.of("m0", new Replicas(3, 0)), Map.of(), NOW);
    assertEquals(2, copies(d, new Unit("m0", "1")));
    assertEquals("replicas.min 3 but only 2 worker(s) can hold it: placed 2", d.unplaced().get(new Unit("m0", "1")));
  }

  @Test
  void aVersionWhoseQueuePerCopyStaysHighGainsACopyAfterTheDelayOnly() {
    Map<String, long[]> busy = Map.of("m0", new long[] {NOW, 20});
    List<PoolWorker> pool = List.of(worker("a", 500, 1, 100, busy), worker("b", 500, 1, 100, Map.of()));
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(new Unit("m0", "1"), 0L)));
    assertEquals(1, copies(decide(pool, current, Map.of(), Map.of(), NOW), new Unit("m0", "1")), "not yet");
    assertEquals(1, copies(decide(pool, current, Map.of(), Map.of(), NOW + 1000), new Unit("m0", "1")), "not yet");
    PlacementPlan.Decision d = decide(pool, current, Map.of(), Map.of(), NOW + 2000);
    assertEquals(2, copies(d, new Unit("m0", "1")));
    assertTrue(d.assignment().get("b").containsKey(new Unit("m0", "1")));
  }

  @Test
  void anIdleExtraCopyGoesButTheLastCopyStaysCached() {
    long idle = NOW - 120_000;
    Map<String, long[]> use = Map.of("m0", new long[] {idle, 0});
    List<PoolWorker> pool = List.of(worker("a", 500, 1, 100, use), worker("b", 500, 1, 100, use));
    Map<String, Map<Unit, Long>> current = new HashMap<>();
    current.put("a", new TreeMap<>(Map.of(new Unit("m0", "1"), idle)));
    current.put("b", new TreeMap<>(Map.of(new Unit("m0", "1"), idle)));
    PlacementPlan.Decision d = decide(pool, current, Map.of(), Map.of(), NOW);
    assertEquals(1, copies(d, new Unit("m0", "1")));
    current = d.assignment();
    assertEquals(1, copies(decide(pool, current, Map.of(), Map.of(), NOW + 1000), new Unit("m0", "1")));
  }

  @Test
  void copiesOfAWorkerThatLeftArePlacedAgainWhenRequestsWait() {
    PoolWorker b = worker("b", 500, 1, 100, Map.of());
    Map<String, Map<Unit, Long>> current = Map.of("a", new TreeMap<>(Map.of(new Unit("m0", "1"), 0L)));
    PlacementPlan.Decision d = decide(List.of(b), current, Map.of(), Map.of(new Unit("m0", "1"), NOW), NOW);
    assertFalse(d.assignment().containsKey("a"));
    assertTrue(d.assignment().get("b").containsKey(new Unit("m0", "1")));
  }

  @Test
  void noWorkerIsEverAssignedMoreThanItsBudget() {
    // 4 workers of 300 MiB (3 models of 100 each), 40 models, random demand and use for 2,000 decisions
    java.util.Random random = new java.util.Random(7);
    Map<String, Map<Unit, Long>> current = new HashMap<>();
    for (int step = 0; step < 2000; step++) {
      long now = NOW + step * 250L;
      List<PoolWorker> pool = new ArrayList<>();
      for (String id : List.of("a", "b", "c", "d")) {
        Map<String, long[]> use = new HashMap<>();
        for (Unit u : current.getOrDefault(id, Map.of()).keySet()) {
          use.put(u.model(), new long[] {now - random.nextInt(120_000), random.nextInt(3) == 0 ? random.nextInt(10) : 0});
        }
        pool.add(worker(id, 300, 40, 90 + random.nextInt(20), use));
      }
      Map<Unit, Long> demand = Map.of(new Unit("m" + random.nextInt(40), "1"), now);
      PlacementPlan.Decision d = decide(pool, current, Map.of(), demand, now);
      for (PoolWorker w : pool) {
        Map<Unit, Long> held = d.assignment().get(w.id());
        assertTrue(used(w, held) <= w.budgetBytes(), "step " + step + ": " + w.id() + " holds " + held.keySet());
      }
      current = d.assignment();
    }
  }
}
