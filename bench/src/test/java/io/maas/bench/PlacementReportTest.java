package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bench.load.LoadResult;
import io.maas.bench.report.Goal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PlacementReportTest {
  private static LoadResult load(long ok, long failed) {
    Histogram h = new Histogram(120_000_000L, 3);
    for (int i = 0; i < ok; i++) {
      h.recordValue(21_000);
    }
    return new LoadResult(ok, failed, failed == 0 ? List.of() : List.of("HTTP 503"), 60, h, 1, ok);
  }

  private static PlacementReport.Phase phase(String name, long ok, long failed, double coldWaits) {
    return new PlacementReport.Phase(name, load(ok, failed), 0, coldWaits, ok + failed, coldWaits > 0 ? 10 : 0,
        load(ok, 0).latencyMicros(), new Histogram(120_000_000L, 3),
        failed == 0 ? Map.of() : Map.of("HTTP 503 (<model>): busy", failed));
  }

  private static PlacementReport.Pool pool(PlacementReport.Phase zipf, int hottestCopies, long overBudget) {
    Zipf z = new Zipf(40, 1.1);
    List<PlacementReport.Rank> ranks = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      ranks.add(new PlacementReport.Rank(k + 1, String.format("m%02d", k), z.probability(k), 100, 21.0, 40.0,
          k == 0 ? hottestCopies : 1, k == 0 ? 2 : 1, k == 0 ? 6 : 0.5));
    }
    return new PlacementReport.Pool(zipf, ranks, z.topShare(11), z.topShare(12), overBudget > 0 ? 1.33 : 1.0,
        Map.of("w1", 1.0), overBudget, overBudget > 0 ? "w1 at 3.0 s" : "", 600, 0);
  }

  private static PlacementReport.Added added(long ok, Long seen, Long ready) {
    return added(ok, 0, seen, ready);
  }

  private static PlacementReport.Added added(long ok, long failed, Long seen, Long ready) {
    return new PlacementReport.Added(phase("added", ok, failed, 0), "w5", 1000, seen, ready);
  }

  private static Goal goal(List<Goal> goals, String words) {
    return goals.stream().filter(g -> g.goal().contains(words)).findFirst().orElseThrow();
  }

  @Test
  void everyGoalMetWhenThePoolBehaves() {
    List<Goal> goals = PlacementReport.goals(pool(phase("zipf", 14_000, 0, 700), 2, 0), added(7_000, 2000L, 5000L),
        new PlacementReport.Canary(load(10_000, 0), Map.of("1", 9_010L, "2", 990L)));
    assertEquals(7, goals.size());
    goals.forEach(g -> assertTrue(g.met(), g.goal() + ": " + g.measured()));
    assertTrue(goal(goals, "no load").measured().startsWith("95.0 %"), goal(goals, "no load").measured());
    assertTrue(goal(goals, "READY version").measured().startsWith("3.0 s"), goal(goals, "READY version").measured());
  }

  @Test
  void eachShortfallIsMissedWithItsFigures() {
    List<Goal> goals = PlacementReport.goals(pool(phase("zipf", 14_000, 3, 3_000), 1, 2),
        added(7_000, 1, 2000L, 13_000L),
        new PlacementReport.Canary(load(10_000, 0), Map.of("1", 8_500L, "2", 1_500L)));
    goals.forEach(g -> assertFalse(g.met(), g.goal() + ": " + g.measured()));
    assertTrue(goal(goals, "over its budget").measured().contains("first: w1 at 3.0 s"));
    assertTrue(goal(goals, "hottest").measured().startsWith("m00: 1 READY copy at the end (most seen: 2; most "
        + "requests held per copy: 6, threshold 4)"), goal(goals, "hottest").measured());
    assertTrue(goal(goals, "canary").measured().startsWith("15.0 % version 2"), goal(goals, "canary").measured());
  }

  @Test
  void aWorkerNeverListedOrNeverHoldingIsMissedAndSaysWhich() {
    assertNull(added(1, null, null).readyAfterSeenMs());
    List<Goal> never = PlacementReport.goals(pool(phase("zipf", 10, 0, 0), 2, 0), added(10, null, null),
        new PlacementReport.Canary(load(10, 0), Map.of("1", 9L, "2", 1L)));
    assertEquals("never listed in the placement view", goal(never, "READY version").measured());
    List<Goal> empty = PlacementReport.goals(pool(phase("zipf", 10, 0, 0), 2, 0), added(10, 500L, null),
        new PlacementReport.Canary(load(10, 0), Map.of("1", 9L, "2", 1L)));
    assertEquals("no READY version on it", goal(empty, "READY version").measured());
  }

  @Test
  void latencyByReadinessShowsNothingMeasuredAsNotApplicable() {
    String csv = PlacementReport.byReadiness(List.of(phase("zipf", 3, 0, 0))).csv();
    assertTrue(csv.contains("\nzipf,READY somewhere,3,21.0"), csv);
    assertTrue(csv.contains("\nzipf,READY nowhere,0,n/a,n/a,n/a,n/a\n"), csv);
  }

  @Test
  void noBudgetAnnouncedIsNoBudgetKept() {
    PlacementReport.Pool none = new PlacementReport.Pool(phase("zipf", 10, 0, 0), pool(phase("zipf", 10, 0, 0), 2, 0)
        .ranks(), 0.75, 0.77, 0, Map.of(), 0, "", 600, 0);
    Goal g = goal(PlacementReport.goals(none, added(10, 500L, 900L), new PlacementReport.Canary(load(10, 0),
        Map.of("1", 9L, "2", 1L))), "over its budget");
    assertFalse(g.met(), g.measured());
    assertTrue(g.measured().endsWith("no worker announced a budget)"), g.measured());
  }

  @Test
  void aCanaryServedByOneVersionSaysTheBuildHasNoTrafficWeights() {
    Goal g = PlacementReport.canaryGoal(new PlacementReport.Canary(load(10_000, 0), Map.of("2", 10_000L)));
    assertFalse(g.met());
    assertTrue(g.measured().contains(PlacementReport.NO_TRAFFIC_WEIGHTS), g.measured());
    assertTrue(g.measured().startsWith("100.0 % version 2"), g.measured());
    Goal edge = PlacementReport.canaryGoal(new PlacementReport.Canary(load(100, 0), Map.of("1", 88L, "2", 12L)));
    assertTrue(edge.met(), "12 % is within 10 % ± 2 pp: " + edge.measured());
  }

  @Test
  void theTimelineTakesOneSampleEveryFiveSecondsAndNamesItsPhase() {
    List<PlacementWatch.Sample> samples = new ArrayList<>();
    for (int s = 0; s <= 12; s++) {
      samples.add(new PlacementWatch.Sample(s + 0.05, 4, 3, 4, 400, 1200, s, s, 0, 0, Map.of("m07", s > 6 ? 2 : 1)));
    }
    List<PlacementReport.Mark> marks = List.of(new PlacementReport.Mark("zipf", 4.0),
        new PlacementReport.Mark("zipf warm-up", 0.0));
    String csv = PlacementReport.timeline(samples, marks, "m07", 5).csv();
    List<String> rows = csv.lines().skip(1).toList();
    assertEquals(3, rows.size(), csv);
    assertTrue(rows.get(0).startsWith("0,zipf warm-up,4,3,4,1,0.33,0,"), rows.get(0));
    assertTrue(rows.get(1).startsWith("5,zipf,"), rows.get(1));
    assertTrue(rows.get(2).startsWith("10,zipf,4,3,4,2,"), rows.get(2));
  }

  @Test
  void theMetricsSumEverySeriesOfOneName() {
    String metrics = """
        # HELP maas_placement_cold_waits_total requests that waited
        maas_placement_cold_waits_total 12.0
        maas_gateway_requests_total{code="ok",model="m01"} 100.0
        maas_gateway_requests_total{code="ok",model="m02"} 50.0
        maas_gateway_requests_total_other 7.0
        """;
    assertEquals(12.0, PlacementBench.sum(metrics, "maas_placement_cold_waits_total"));
    assertEquals(150.0, PlacementBench.sum(metrics, "maas_gateway_requests_total"));
    assertTrue(Double.isNaN(PlacementBench.sum(metrics, "maas_absent_total")));
  }
}
