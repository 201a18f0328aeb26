package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bench.report.Goal;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The hedging comparison's merging of turns and its verdicts. */
class HedgingReportTest {

  private static HedgingReport.Turn turn(HedgingReport.Situation s, HedgingReport.Hedging h, long ok, long failed,
      long maxMicros, double requests, double hedges) {
    Histogram latency = new Histogram(60_000_000L, 3);
    for (int i = 0; i < ok - 1; i++) {
      latency.recordValue(25_000);
    }
    latency.recordValue(maxMicros);
    return new HedgingReport.Turn("sim", s, h, new ClosedLoopLoad.Result(ok, failed, 8, latency, Map.of()),
        new HedgingBench.Counters(requests, hedges, hedges));
  }

  @Test
  void turnOrderFlipsSoEachSideHasTheSameMeanPosition() {
    List<HedgingReport.Hedging> order = HedgingReport.turnOrder();
    assertEquals(List.of(HedgingReport.Hedging.OFF, HedgingReport.Hedging.ON, HedgingReport.Hedging.ON,
        HedgingReport.Hedging.OFF), order);
  }

  @Test
  void turnsOfOneSideAddUpAndTheGoalsJudgeOffAgainstOn() {
    var steady = HedgingReport.Situation.STEADY;
    var pause = HedgingReport.Situation.PAUSE;
    var off = HedgingReport.Hedging.OFF;
    var on = HedgingReport.Hedging.ON;
    List<HedgingReport.Turn> turns = List.of(
        turn(steady, off, 800, 0, 60_000, 800, 0), turn(steady, on, 800, 0, 60_000, 800, 4),
        turn(steady, on, 800, 0, 60_000, 800, 4), turn(steady, off, 800, 0, 60_000, 800, 0),
        turn(pause, off, 600, 0, 3_100_000, 600, 0), turn(pause, on, 700, 0, 300_000, 700, 6),
        turn(pause, on, 700, 0, 280_000, 700, 5), turn(pause, off, 600, 0, 2_900_000, 600, 0));

    List<HedgingReport.Row> rows = HedgingReport.rows(turns);
    HedgingReport.Row steadyOn = rows.stream().filter(r -> r.situation() == steady && r.hedging() == on).findFirst()
        .orElseThrow();
    assertEquals(1600, steadyOn.successes());
    assertEquals(0.5, steadyOn.extraLoadPercent(), 1e-9);
    assertEquals(100, steadyOn.throughput(), 1e-9);

    List<Goal> goals = HedgingReport.goals(rows);
    assertEquals(4, goals.size());
    goals.forEach(g -> assertTrue(g.met(), g.goal() + ": " + g.measured()));
    assertTrue(goals.get(0).measured().contains("over 1 s"), goals.get(0).measured());
  }

  @Test
  void aSlowRequestDuringThePauseWithHedgingOnMissesTheGoal() {
    var on = HedgingReport.Hedging.ON;
    var off = HedgingReport.Hedging.OFF;
    List<HedgingReport.Turn> turns = List.of(
        turn(HedgingReport.Situation.STEADY, off, 800, 0, 60_000, 800, 0),
        turn(HedgingReport.Situation.STEADY, on, 800, 0, 60_000, 800, 60),
        turn(HedgingReport.Situation.PAUSE, off, 600, 0, 3_100_000, 600, 0),
        turn(HedgingReport.Situation.PAUSE, on, 700, 0, 1_200_000, 700, 6));
    List<Goal> goals = HedgingReport.goals(HedgingReport.rows(turns));
    assertEquals(Boolean.FALSE, goals.get(0).met(), "a request of 1.2 s");
    assertEquals(Boolean.FALSE, goals.get(1).met(), "7.5 % extra load");
  }
}
