package io.maas.bench.report;

/**
 * One of the goals, measured side by side in one run.
 *
 * @param scenario where it was measured
 * @param goal what it asks, in words
 * @param measured the measured figures, in words (e.g. "0.83 × ceiling (1,630 / 1,960 seq/s)")
 * @param met whether it is met; null when it could not be measured
 */
public record Goal(String scenario, String goal, String measured, Boolean met) {
  public String verdict() {
    return met == null ? "NOT MEASURED" : met ? "MET" : "MISSED";
  }
}
