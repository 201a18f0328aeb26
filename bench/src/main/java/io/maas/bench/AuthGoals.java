package io.maas.bench;

import io.maas.bench.report.Fmt;
import io.maas.bench.report.Goal;
import java.util.List;
import java.util.Optional;

/**
 * The goals on what API keys cost: a point measured with keys on against the same point with keys off,
 * side by side in one run ({@link SideBySide}). Throughput: on ≥ a share of off; latency at c = 1: on's
 * p50 ≤ off's p50 + a budget. A side that was not measured (or served nothing) gives NOT MEASURED.
 */
final class AuthGoals {
  private AuthGoals() {}

  /**
   * @param point the point in words, e.g. "REST JSON, c = 32, standalone"
   * @param unit what on and off count, e.g. "req/s"
   */
  static Goal throughput(String scenario, String point, double on, double off, double minRatio, String unit) {
    double ratio = on / off;
    boolean measured = !Double.isNaN(ratio) && !Double.isInfinite(ratio);
    return new Goal(scenario, point + ": auth on ≥ " + Fmt.ratio(minRatio) + " × auth off (" + unit + ")",
        Fmt.ratio(ratio) + " × (" + Fmt.num(on, 0) + " / " + Fmt.num(off, 0) + " " + unit + ")",
        measured ? ratio >= minRatio : null);
  }

  static Goal latency(String scenario, String point, double onP50Micros, double offP50Micros, double budgetMicros) {
    double added = onP50Micros - offP50Micros;
    return new Goal(scenario, point + ": auth on p50 ≤ auth off p50 + " + Fmt.num(budgetMicros, 0) + " µs",
        (added >= 0 ? "+" : "") + Fmt.num(added, 0) + " µs (" + Fmt.num(onP50Micros, 0) + " vs "
            + Fmt.num(offP50Micros, 0) + " µs)", Double.isNaN(added) ? null : added <= budgetMicros);
  }

  /** The point measured on this deployment with these keys, protocol, batching and load, if any. */
  static Optional<Point> find(List<Point> points, String deployment, Auth auth, Protocol protocol, String batching,
      String load) {
    return points.stream().filter(p -> p.is(deployment, auth, protocol, batching, load)).findFirst();
  }
}
