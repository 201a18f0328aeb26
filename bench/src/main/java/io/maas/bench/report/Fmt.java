package io.maas.bench.report;

import java.util.Locale;

/** Number formats for tables: fixed decimals, "n/a" for what was not measured (NaN). */
public final class Fmt {
  private Fmt() {}

  public static String num(double v, int decimals) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** Milliseconds with enough decimals to show microseconds below 10 ms. */
  public static String ms(double v) {
    return num(v, v < 10 ? 3 : v < 100 ? 2 : 1);
  }

  /** A whole count with thousands separated by a thin space-free comma: 12,345. */
  public static String count(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
  }

  public static String ratio(double v) {
    return num(v, 2);
  }
}
