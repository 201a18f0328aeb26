package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maas.bench.report.Goal;
import org.junit.jupiter.api.Test;

class AuthGoalsTest {
  @Test
  void throughputIsMetAtTheRatioAndMissedBelowIt() {
    Goal met = AuthGoals.throughput("simple", "REST JSON, c = 32, standalone", 900, 1000, 0.90, "req/s");
    assertEquals("MET", met.verdict());
    assertEquals("REST JSON, c = 32, standalone: auth on ≥ 0.90 × auth off (req/s)", met.goal());
    assertEquals("0.90 × (900 / 1000 req/s)", met.measured());
    assertEquals("MISSED", AuthGoals.throughput("simple", "p", 899, 1000, 0.90, "req/s").verdict());
    assertEquals("MET", AuthGoals.throughput("simple", "p", 1100, 1000, 0.97, "seq/s").verdict(),
        "keys on faster than off (noise) still meets it");
  }

  @Test
  void throughputWithoutBothSidesIsNotMeasured() {
    assertEquals("NOT MEASURED", AuthGoals.throughput("s", "p", Double.NaN, 1000, 0.9, "req/s").verdict());
    assertEquals("NOT MEASURED", AuthGoals.throughput("s", "p", 1000, Double.NaN, 0.9, "req/s").verdict());
    assertEquals("NOT MEASURED", AuthGoals.throughput("s", "p", 0, 0, 0.9, "req/s").verdict(),
        "neither side served anything");
    assertEquals("MISSED", AuthGoals.throughput("s", "p", 0, 1000, 0.9, "req/s").verdict(),
        "keys on served nothing while off did");
  }

  @Test
  void latencyIsMetWithinTheBudgetAndMissedBeyondIt() {
    Goal met = AuthGoals.latency("simple", "gRPC, c = 1, standalone", 200, 150, 50);
    assertEquals("MET", met.verdict());
    assertEquals("gRPC, c = 1, standalone: auth on p50 ≤ auth off p50 + 50 µs", met.goal());
    assertEquals("+50 µs (200 vs 150 µs)", met.measured());
    assertEquals("MISSED", AuthGoals.latency("simple", "p", 201, 150, 50).verdict());
    Goal faster = AuthGoals.latency("simple", "p", 140, 150, 50);
    assertEquals("MET", faster.verdict());
    assertEquals("-10 µs (140 vs 150 µs)", faster.measured());
    assertEquals("NOT MEASURED", AuthGoals.latency("simple", "p", Double.NaN, 150, 50).verdict());
  }
}
