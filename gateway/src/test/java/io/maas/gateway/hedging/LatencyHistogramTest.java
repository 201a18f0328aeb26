package io.maas.gateway.hedging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The log-bucket histogram behind the hedge delay: bucket bounds, quantile accuracy, and fading. */
class LatencyHistogramTest {

  @Test
  void everyValueFallsInABucketWhoseTopIsAtMostAQuarterAboveIt() {
    for (long v = 0; v < 1_000_000; v = v < 64 ? v + 1 : v + v / 7) {
      int b = LatencyHistogram.bucketOf(v);
      long top = LatencyHistogram.topOf(b);
      assertTrue(top >= v, v + " above its bucket's top " + top);
      assertTrue(top <= Math.max(v, 4) * 1.25, v + " in a bucket topping at " + top);
      if (b > 0) {
        assertTrue(LatencyHistogram.topOf(b - 1) < v, v + " belongs below bucket " + b);
      }
    }
  }

  @Test
  void quantilesOfASeededLogNormalSampleAreWithinTheBucketWidthAboveTheExactOnes() {
    SplittableRandom random = new SplittableRandom(42);
    LatencyHistogram h = new LatencyHistogram();
    long[] sample = new long[LatencyHistogram.WINDOW - 1]; // below the window: nothing fades yet
    for (int i = 0; i < sample.length; i++) {
      sample[i] = (long) (20_000 * Math.exp(0.5 * gaussian(random))); // µs: median 20 ms, a long right tail
      h.record(sample[i]);
    }
    Arrays.sort(sample);
    for (double q : new double[] {0.5, 0.9, 0.95, 0.99}) {
      long exact = sample[(int) Math.ceil(q * sample.length) - 1];
      long estimate = h.quantileMicros(q);
      assertTrue(estimate >= exact && estimate <= exact * 1.25, "q" + q + ": " + estimate + " for " + exact);
    }
  }

  @Test
  void olderLatenciesFadeSoTheQuantileFollowsARecentChange() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < 3 * LatencyHistogram.WINDOW; i++) {
      h.record(100_000); // 100 ms
    }
    assertTrue(h.quantileMicros(0.99) >= 100_000);
    for (int i = 0; i < 4 * LatencyHistogram.WINDOW; i++) {
      h.record(10_000); // then 10 ms: about 8 halvings later, 100 ms is less than 1 % of the weight
    }
    long p99 = h.quantileMicros(0.99);
    assertTrue(p99 >= 10_000 && p99 < 12_500, "p99 after the change: " + p99);
    assertTrue(h.count() < LatencyHistogram.WINDOW, "the counts stay within the window: " + h.count());
  }

  @Test
  void anEmptyHistogramHasNoQuantileAndOutOfRangeValuesAreClamped() {
    LatencyHistogram h = new LatencyHistogram();
    assertEquals(-1, h.quantileMicros(0.99));
    h.record(-5);
    h.record(Long.MAX_VALUE);
    assertEquals(0, h.quantileMicros(0.5));
    assertTrue(h.quantileMicros(0.99) >= (1L << 36) - 1);
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
