package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfTest {
  @Test
  void probabilitiesFollowThePowerLawAndAddUpToOne() {
    Zipf z = new Zipf(40, 1.1);
    double sum = 0;
    for (int k = 0; k < z.size(); k++) {
      sum += z.probability(k);
    }
    assertEquals(1.0, sum, 1e-12);
    assertEquals(Math.pow(2, 1.1), z.probability(0) / z.probability(1), 1e-9);
    assertEquals(0.2719, z.probability(0), 1e-4, "1 / H(40, 1.1)");
    assertEquals(1.0, z.topShare(40), 1e-12);
    assertEquals(z.probability(0) + z.probability(1), z.topShare(2), 1e-12);
    assertEquals(0.0, z.topShare(0));
  }

  @Test
  void uniformDrawsMapOntoTheCumulativeIntervals() {
    Zipf z = new Zipf(3, 1.0); // 6/11, 3/11, 2/11
    assertEquals(0, z.rank(0.0));
    assertEquals(0, z.rank(6.0 / 11 - 1e-9));
    assertEquals(1, z.rank(6.0 / 11 + 1e-9));
    assertEquals(2, z.rank(9.0 / 11 + 1e-9));
    assertEquals(2, z.rank(0.999_999_999));
  }

  @Test
  void aSeededSampleMatchesTheDistribution() {
    Zipf z = new Zipf(40, 1.1);
    SplittableRandom random = new SplittableRandom(13);
    int n = 200_000;
    long[] counts = new long[40];
    for (int i = 0; i < n; i++) {
      counts[z.sample(random)]++;
    }
    for (int k : new int[] {0, 1, 9, 39}) {
      double expected = z.probability(k) * n;
      assertTrue(Math.abs(counts[k] - expected) < 5 * Math.sqrt(expected), k + ": " + counts[k] + " vs " + expected);
    }
    SplittableRandom again = new SplittableRandom(13);
    SplittableRandom same = new SplittableRandom(13);
    for (int i = 0; i < 100; i++) {
      assertEquals(z.sample(again), z.sample(same), "the same seed, the same mix");
    }
  }

  @Test
  void rejectsAnEmptyOrFlatDistribution() {
    assertThrows(IllegalArgumentException.class, () -> new Zipf(0, 1.1));
    assertThrows(IllegalArgumentException.class, () -> new Zipf(10, 0));
  }
}
