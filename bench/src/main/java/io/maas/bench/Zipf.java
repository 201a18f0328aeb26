package io.maas.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A Zipf distribution over ranks {@code 0..n-1}: rank {@code k} (0 the most popular) has probability
 * {@code (k + 1)^-s / H(n, s)}. Samples by inverting the cumulative distribution (a binary search over
 * {@code n} bounds), so a seeded random gives the same request mix on every run.
 */
final class Zipf {
  private final double[] probability;
  private final double[] cumulative;

  Zipf(int n, double s) {
    if (n < 1 || !(s > 0)) {
      throw new IllegalArgumentException("Zipf needs n >= 1 and s > 0, not n = " + n + ", s = " + s);
    }
    probability = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      probability[k] = Math.pow(k + 1, -s);
      sum += probability[k];
    }
    cumulative = new double[n];
    double running = 0;
    for (int k = 0; k < n; k++) {
      probability[k] /= sum;
      running += probability[k];
      cumulative[k] = running;
    }
    cumulative[n - 1] = 1.0; // no rounding gap above the last bound
  }

  int size() {
    return probability.length;
  }

  /** The probability of rank {@code k} (0: the most popular). */
  double probability(int k) {
    return probability[k];
  }

  /** The share of requests the {@code k} most popular ranks take together. */
  double topShare(int k) {
    return k <= 0 ? 0 : cumulative[Math.min(k, cumulative.length) - 1];
  }

  /** The rank whose cumulative interval holds {@code u} (uniform in [0, 1)). */
  int rank(double u) {
    int i = Arrays.binarySearch(cumulative, u);
    int k = i >= 0 ? i + 1 : -i - 1; // u on a bound belongs to the next interval
    return Math.min(k, cumulative.length - 1);
  }

  int sample(SplittableRandom random) {
    return rank(random.nextDouble());
  }
}
