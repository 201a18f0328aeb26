package io.maas.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfTest {

  private static int bits(float f) {
    return Half.fromFloat(f) & 0xffff;
  }

  private static boolean isHalfNaN(int h) {
    return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
  }

  /** An independent decoding of half bits, computed in double. */
  private static double reference(int h) {
    double sign = (h & 0x8000) != 0 ? -1 : 1;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return sign * Double.POSITIVE_INFINITY;
    }
    if (exp == 0) {
      return sign * Math.scalb((double) mant, -24);
    }
    return sign * Math.scalb(1.0 + mant / 1024.0, exp - 15);
  }

  @Test
  void knownBitPatternsEncode() {
    assertEquals(0x3C00, bits(1.0f));
    assertEquals(0xC000, bits(-2.0f));
    assertEquals(0x7BFF, bits(65504f));
    assertEquals(0x0001, bits(0x1p-24f));
    assertEquals(0x7C00, bits(Float.POSITIVE_INFINITY));
    assertEquals(0xFC00, bits(Float.NEGATIVE_INFINITY));
    assertEquals(0x0000, bits(0.0f));
    assertEquals(0x8000, bits(-0.0f));
    assertEquals(0x2E66, bits(0.1f));
  }

  @Test
  void knownBitPatternsDecode() {
    assertEquals(1.0f, Half.toFloat((short) 0x3C00));
    assertEquals(-2.0f, Half.toFloat((short) 0xC000));
    assertEquals(65504f, Half.toFloat((short) 0x7BFF));
    assertEquals(0x1p-24f, Half.toFloat((short) 0x0001));
    assertEquals(Float.POSITIVE_INFINITY, Half.toFloat((short) 0x7C00));
    assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat((short) 0xFC00));
    assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(Half.toFloat((short) 0x8000)));
  }

  @Test
  void nanStaysNaN() {
    assertTrue(isHalfNaN(bits(Float.NaN)));
    assertTrue(isHalfNaN(bits(Float.intBitsToFloat(0x7f800001))), "NaN with only low payload bits");
    assertTrue(isHalfNaN(bits(Float.intBitsToFloat(0xffc00000))), "negative NaN");
    assertTrue(Float.isNaN(Half.toFloat((short) 0x7E00)));
    assertTrue(Float.isNaN(Half.toFloat((short) 0x7C01)));
    assertTrue(Float.isNaN(Half.toFloat((short) 0xFFFF)));
  }

  @Test
  void overflowBecomesInfinity() {
    assertEquals(0x7BFF, bits(65519f), "just below the rounding midpoint to infinity");
    assertEquals(0x7C00, bits(65520f), "tie between 65504 and 65536 rounds to even: infinity");
    assertEquals(0x7C00, bits(1e6f));
    assertEquals(0xFC00, bits(-1e6f));
  }

  @Test
  void tiesRoundToNearestEven() {
    // 1 + 2^-11 lies exactly between 0x3C00 (even) and 0x3C01: rounds down to the even one.
    assertEquals(0x3C00, bits(1f + 0x1p-11f));
    // 1 + 3 * 2^-11 lies exactly between 0x3C01 and 0x3C02 (even): rounds up.
    assertEquals(0x3C02, bits(1f + 3 * 0x1p-11f));
    // just above a tie rounds up
    assertEquals(0x3C01, bits(Math.nextUp(1f + 0x1p-11f)));
    // subnormal ties: 2^-25 between 0 and 0x0001 -> 0; 3 * 2^-25 between 0x0001 and 0x0002 -> 0x0002
    assertEquals(0x0000, bits(0x1p-25f));
    assertEquals(0x0002, bits(3 * 0x1p-25f));
    assertEquals(0x0001, bits(Math.nextUp(0x1p-25f)));
    // tiny values flush to a signed zero
    assertEquals(0x8000, bits(-0x1p-30f));
  }

  @Test
  void everyNonNaNHalfRoundTripsExactly() {
    int checked = 0;
    for (int h = 0; h < 0x10000; h++) {
      if (isHalfNaN(h)) {
        continue;
      }
      float f = Half.toFloat((short) h);
      assertEquals(reference(h), (double) f, "toFloat of 0x" + Integer.toHexString(h));
      short back = Half.fromFloat(f);
      assertEquals(h, back & 0xffff, "fromFloat(toFloat(0x" + Integer.toHexString(h) + "))");
      assertEquals(Float.floatToIntBits(f), Float.floatToIntBits(Half.toFloat(back)),
          "toFloat(fromFloat(x)) for 0x" + Integer.toHexString(h));
      checked++;
    }
    assertEquals(0x10000 - 2 * 1023, checked);
  }
}
