package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bench.FairLoad.FlowResult;
import io.maas.bench.report.Goal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class FairnessReportTest {
  /** A flow whose 200s all took {@code ms}; {@code seconds} 10. */
  private static FlowResult flow(String name, double rate, long sent, long ok, long rejected, long expired, double ms,
      double maxMs) {
    Histogram h = new Histogram(FairLoad.MAX_MICROS, 3);
    for (long i = 0; i < ok; i++) {
      h.recordValue((long) (ms * 1000));
    }
    return new FlowResult(name, rate, 10, sent, ok, rejected, expired, sent - ok - rejected - expired, h,
        (long) (maxMs * 1000));
  }

  private static FairnessReport.Share share(long bOk, double bMs, double busy) {
    return new FairnessReport.Share("sim", flow("capacity", 0, 1000, 1000, 0, 0, 80, 90),
        flow("B", 20, 200, 200, 0, 0, 100, 110), flow("A", 1000, 10000, 800, 9200, 0, 500, 700),
        flow("B", 20, 200, bOk, 200 - bOk, 0, bMs, bMs), busy);
  }

  private static Map<String, String> verdicts(FairnessReport.Run run) {
    return FairnessReport.goals(run).stream().collect(Collectors.toMap(Goal::goal, Goal::verdict));
  }

  private static FairnessReport.Run run(FairnessReport.Share s, FairnessReport.Weights w, FairnessReport.Priority p,
      List<FairnessReport.Disconnect> d, FairnessReport.Timeout t) {
    return new FairnessReport.Run("settings", List.of(s), w, p, d, t);
  }

  @Test
  void theLightKeyMeetsItsGoalsWhenItGetsNearlyAllItAskedForAtLittleMoreLatency() {
    Map<String, String> v = verdicts(run(share(191, 199, 0.97), null, null, List.of(), null));
    assertEquals("MET", v.get("equal weights, A at 10 × capacity, B at 20 %: B's throughput ≥ 95 % of what it asked"));
    assertEquals("MET", v.get("B's p99 ≤ 2 × its p99 with A idle"));
    assertEquals("MET", v.get("A gets the rest: the model executes ≥ 95 % of the time while A has queued work"));
  }

  @Test
  void theLightKeyMissesWhenShutOutSlowedOrTheDeviceIdles() {
    Map<String, String> v = verdicts(run(share(189, 201, 0.94), null, null, List.of(), null));
    assertEquals("MISSED", v.get("equal weights, A at 10 × capacity, B at 20 %: B's throughput ≥ 95 % of what it asked"));
    assertEquals("MISSED", v.get("B's p99 ≤ 2 × its p99 with A idle"));
    assertEquals("MISSED", v.get("A gets the rest: the model executes ≥ 95 % of the time while A has queued work"));
  }

  @Test
  void weightsAreMetWithinTenPercentOfThreeToOne() {
    String goal = "weights 3:1, both saturating: served ratio 3:1 ± 10 %";
    FlowResult cap = flow("capacity", 0, 100, 100, 0, 0, 10, 10);
    for (long heavy : new long[] {270, 300, 330}) {
      FairnessReport.Weights w = new FairnessReport.Weights("sim", cap, flow("weight 3", 200, 2000, heavy, 0, 0, 1, 1),
          flow("weight 1", 200, 2000, 100, 0, 0, 1, 1));
      assertEquals("MET", verdicts(run(share(200, 100, 1), w, null, List.of(), null)).get(goal), "ratio " + heavy);
    }
    for (long heavy : new long[] {100, 260, 340}) {
      FairnessReport.Weights w = new FairnessReport.Weights("sim", cap, flow("weight 3", 200, 2000, heavy, 0, 0, 1, 1),
          flow("weight 1", 200, 2000, 100, 0, 0, 1, 1));
      assertEquals("MISSED", verdicts(run(share(200, 100, 1), w, null, List.of(), null)).get(goal), "ratio " + heavy);
    }
  }

  @Test
  void priorityOneIsMetAtOneAndAHalfTimesUnloadedWithEveryRequestServed() {
    String goal = "priority 1 at 30 % of capacity during a priority 2 flood: p99 ≤ 1.5 × unloaded";
    FlowResult cap = flow("capacity", 0, 100, 100, 0, 0, 10, 10);
    FlowResult alone = flow("priority 1", 30, 300, 300, 0, 0, 100, 100);
    FlowResult flood = flow("flood", 1000, 10000, 700, 9300, 0, 500, 500);
    assertEquals("MET", verdicts(run(share(200, 100, 1), null, new FairnessReport.Priority("sim", cap, alone,
        flow("priority 1", 30, 300, 300, 0, 0, 150, 150), flood), List.of(), null)).get(goal));
    assertEquals("MISSED", verdicts(run(share(200, 100, 1), null, new FairnessReport.Priority("sim", cap, alone,
        flow("priority 1", 30, 300, 300, 0, 0, 152, 152), flood), List.of(), null)).get(goal));
    assertEquals("MISSED", verdicts(run(share(200, 100, 1), null, new FairnessReport.Priority("sim", cap, alone,
        flow("priority 1", 30, 300, 299, 1, 0, 100, 100), flood), List.of(), null)).get(goal), "one refused");
  }

  @Test
  void disconnectsAreMetAtTenPercentExecutedAndNoErrorLine() {
    FairnessReport.Disconnect fin = new FairnessReport.Disconnect(Disconnects.Close.FIN, 200, 200, 64, 5, 1280, 190, 0,
        "", 200, "CANCELLED 200");
    FairnessReport.Disconnect rst = new FairnessReport.Disconnect(Disconnects.Close.RST, 200, 200, 64, 5, 1344, 180, 1,
        "00:00:00.000 ERROR [loop] x - boom", 200, "CANCELLED 200");
    List<Goal> goals = FairnessReport.goals(run(share(200, 100, 1), null, null, List.of(fin, rst), null));
    List<Goal> gone = goals.stream().filter(g -> g.scenario().contains("MiniLM")).toList();
    assertEquals(3, gone.size());
    FairnessReport.Disconnect unseen = new FairnessReport.Disconnect(Disconnects.Close.FIN, 200, 200, 64, 5, 0, 0, 0,
        "", 0, "");
    assertEquals("MISSED", FairnessReport.goals(run(share(200, 100, 1), null, null, List.of(unseen), null)).stream()
        .filter(g -> g.scenario().contains("MiniLM")).findFirst().orElseThrow().verdict(),
        "nothing executed proves nothing when the requests never reached the gateway's pipeline");
    assertEquals("MET", gone.get(0).verdict(), gone.get(0).measured());
    assertEquals("MISSED", gone.get(1).verdict(), "1,344 of 12,800 texts is over 10 %");
    assertEquals("MISSED", gone.get(2).verdict());
    assertTrue(gone.get(2).measured().startsWith("1 ERROR lines (first: `00:00:00.000 ERROR"), gone.get(2).measured());
  }

  @Test
  void aTimeoutBurstIsMetWhenNothingAnswersLateAndOnlyTheServedExecuted() {
    FlowResult burst = flow("burst", 0, 64, 8, 0, 56, 70, 120);
    FairnessReport.Timeout ok = new FairnessReport.Timeout("sim", 50, 76, burst, 8, 2, 56);
    List<Goal> goals = FairnessReport.goals(run(share(200, 100, 1), null, null, List.of(), ok));
    assertEquals("MET", goals.get(goals.size() - 2).verdict(), goals.get(goals.size() - 2).measured());
    assertEquals("MET", goals.get(goals.size() - 1).verdict(), goals.get(goals.size() - 1).measured());

    FlowResult late = flow("burst", 0, 64, 8, 0, 56, 70, 127);
    FairnessReport.Timeout executedExpired = new FairnessReport.Timeout("sim", 50, 76, late, 9, 3, 56);
    goals = FairnessReport.goals(run(share(200, 100, 1), null, null, List.of(), executedExpired));
    assertEquals("MISSED", goals.get(goals.size() - 2).verdict(), "127 ms is over 50 + 76");
    assertEquals("MISSED", goals.get(goals.size() - 1).verdict(), "9 items executed for 8 answered");
  }

  @Test
  void theMarkdownHasEveryGoalWithItsVerdictAndTheCsvAHeaderAndRows() {
    FairnessReport.Run r = run(share(200, 100, 1), null, null, List.of(), null);
    String md = FairnessReport.markdown(r);
    assertTrue(md.contains("| fairness, sim | B's p99 ≤ 2 × its p99 with A idle | 1.00 × (100.0 / 100.0 ms) | **MET** |"),
        md);
    String csv = FairnessReport.csv(r);
    assertEquals(5, csv.lines().count(), csv);
    assertTrue(csv.lines().skip(1).allMatch(l -> l.split(",", -1).length == 13), csv);
  }
}
