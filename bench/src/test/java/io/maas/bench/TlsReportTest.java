package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bench.TlsReport.Side;
import io.maas.bench.load.LoadResult;
import io.maas.bench.report.Goal;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The TLS comparison's rounds, medians, costs and verdicts. */
class TlsReportTest {
  private static final String PAIR = "simple, REST JSON";

  /** A turn of {@code ok} answers in 1 s, each taking {@code micros}, costing the server {@code serverMicros} each. */
  private static TlsReport.Turn turn(String pair, Side side, int round, long ok, long micros, double serverMicros) {
    Histogram latency = new Histogram(60_000_000L, 3);
    for (int i = 0; i < ok; i++) {
      latency.recordValue(micros);
    }
    LoadResult r = new LoadResult(ok, 0, List.of(), 1.0, latency, 1, ok);
    return new TlsReport.Turn(pair, side, round, r, serverMicros * 1000 * ok, 10_000.0 * ok, 32, 0, 32,
        side == Side.TLS ? "TLSv1.3 TLS_AES_128_GCM_SHA256" : "");
  }

  /** Rounds of a plaintext turn at {@code plain} req/s and a TLS turn at {@code tls[i]} req/s. */
  private static List<TlsReport.Turn> rounds(long plain, long... tls) {
    List<TlsReport.Turn> turns = new ArrayList<>();
    for (int round = 0; round < tls.length; round++) {
      for (Side side : TlsReport.order(round)) {
        turns.add(side == Side.PLAINTEXT ? turn(PAIR, side, round, plain, 2000, 80)
            : turn(PAIR, side, round, tls[round], 2200, 90));
      }
    }
    return turns;
  }

  @Test
  void eachSideGoesFirstInTurns() {
    assertEquals(List.of(Side.PLAINTEXT, Side.TLS), TlsReport.order(0));
    assertEquals(List.of(Side.TLS, Side.PLAINTEXT), TlsReport.order(1));
    assertEquals(List.of(Side.PLAINTEXT, Side.TLS), TlsReport.order(2));
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, TlsReport.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, TlsReport.median(List.of(4.0, 1.0, 3.0, 2.0)));
    assertTrue(Double.isNaN(TlsReport.median(List.of())));
  }

  @Test
  void theRatioIsTheMedianOfTheRoundsSoOneDisturbedRoundDoesNotDecide() {
    // one round where other work on the machine hit the TLS turn: 0.30; the others 0.90..0.95
    List<TlsReport.Row> rows = TlsReport.rows(rounds(1000, 900, 300, 950, 920, 910));
    TlsReport.Row r = rows.get(0);
    assertEquals(List.of(0.9, 0.3, 0.95, 0.92, 0.91), r.roundRatios());
    assertEquals(0.91, r.ratio(), 1e-9);
    assertEquals(0.3, r.minRatio(), 1e-9);
    assertEquals(0.95, r.maxRatio(), 1e-9);
    assertEquals(1000, r.plaintext().medianThroughput(), 1e-9);
    assertEquals(910, r.tls().medianThroughput(), 1e-9);
    Goal g = TlsReport.goals(rows).get(0);
    assertEquals("tls, " + PAIR, g.scenario());
    assertEquals("MET", g.verdict());
    assertTrue(g.measured().startsWith("0.91 × (median of 5 rounds, 0.30–0.95"), g.measured());
  }

  @Test
  void theGoalIsMetAtTheBoundAndMissedBelowIt() {
    assertEquals("MET", TlsReport.goals(TlsReport.rows(rounds(1000, 850, 850, 850))).get(0).verdict());
    assertEquals("MISSED", TlsReport.goals(TlsReport.rows(rounds(1000, 849, 849, 849))).get(0).verdict());
  }

  @Test
  void aSideThatAnsweredNothingIsNotMeasured() {
    Goal g = TlsReport.goals(TlsReport.rows(rounds(1000, 0, 0))).get(0);
    assertNull(g.met());
    assertEquals("NOT MEASURED", g.verdict());
  }

  @Test
  void costsArePerRequestAnsweredAndTheCpuRatioSumsServerAndClient() {
    TlsReport.Row r = TlsReport.rows(rounds(1000, 900, 900)).get(0);
    assertEquals(80, r.plaintext().serverMicrosPerRequest(), 1e-9);
    assertEquals(90, r.tls().serverMicrosPerRequest(), 1e-9);
    assertEquals(10, r.tls().generatorMicrosPerRequest(), 1e-9);
    assertEquals((80.0 + 10) / (90 + 10), r.cpuRatio(), 1e-9);
    assertEquals(List.of(32L), r.tls().opened());
    assertEquals(0, r.tls().openedInWindows());
  }

  @Test
  void pairsKeepTheirOrderAndTheReportSaysWhatWasNegotiated() {
    List<TlsReport.Turn> turns = new ArrayList<>(rounds(1000, 900, 900));
    turns.add(turn("MiniLM, gRPC", Side.PLAINTEXT, 0, 100, 30_000, 1000));
    turns.add(turn("MiniLM, gRPC", Side.TLS, 0, 95, 31_000, 1010));
    List<TlsReport.Row> rows = TlsReport.rows(turns);
    assertEquals(List.of(PAIR, "MiniLM, gRPC"), rows.stream().map(TlsReport.Row::pair).toList());
    String md = TlsReport.markdown("method", turns);
    assertTrue(md.contains("`TLSv1.3 TLS_AES_128_GCM_SHA256`"), md);
    assertTrue(md.contains("| MiniLM, gRPC | 100 | 95 | 0.95 |"), md);
    assertFalse(md.contains("Failures:"), md);
    String csv = TlsReport.csv(turns);
    assertEquals(turns.size() + 1, csv.lines().count());
    assertTrue(csv.lines().anyMatch(l -> l.startsWith("\"MiniLM, gRPC\",TLS,1,95.00,")
        && l.endsWith(",TLSv1.3 TLS_AES_128_GCM_SHA256")), csv);
  }

  @Test
  void theNodesGaugeIsReadForOneServer() {
    String metrics = """
        # TYPE maas_gateway_connections_open gauge
        maas_gateway_connections_open{server="grpc"} 1.0
        maas_gateway_connections_open{server="rest"} 32.0
        """;
    assertEquals(32, TlsBench.gauge(metrics, "maas_gateway_connections_open", "rest"));
    assertEquals(1, TlsBench.gauge(metrics, "maas_gateway_connections_open", "grpc"));
    assertEquals(-1, TlsBench.gauge(metrics, "maas_gateway_connections_closed_total", "rest"));
  }
}
