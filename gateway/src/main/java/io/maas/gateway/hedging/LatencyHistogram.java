package io.maas.gateway.hedging;

/**
 * A cheap estimate of one model's recent latency distribution: counts in logarithmic buckets of
 * microseconds (four per power of two, so a bucket's top is at most 25 % above its bottom), all halved
 * whenever they add up to {@link #WINDOW}. So older answers fade: an answer's weight halves with every
 * {@code WINDOW / 2} or so answers after it, and a tail the model has left behind (1 % of the weight) is
 * forgotten within about 7 × {@code WINDOW / 2} answers, while a new tail shows as soon as it is 1 % of
 * the recent ones. Recording is an array increment; a quantile is one pass over 140 counters.
 *
 * <p>Not thread-safe: its owner ({@link ModelHedge}) serialises access.
 */
final class LatencyHistogram {
  /** When the counts add up to this many, every count is halved (a count of 1 fades away). */
  static final int WINDOW = 1024;
  /** Values are clamped to 2^36 µs (about 19 hours): the top bucket. */
  private static final long MAX_MICROS = (1L << 36) - 1;
  private static final int BUCKETS = bucketOf(MAX_MICROS) + 1;

  private final long[] counts = new long[BUCKETS];
  private long total;

  void record(long micros) {
    counts[bucketOf(Math.max(0, Math.min(MAX_MICROS, micros)))]++;
    if (++total >= WINDOW) {
      halve();
    }
  }

  /** How many answers the estimate holds now (after halvings, not every answer ever recorded). */
  long count() {
    return total;
  }

  /**
   * The top of the bucket holding the {@code q}-quantile ({@code 0 < q < 1}): an upper estimate, at most 25 %
   * above the true value; -1 when empty.
   */
  long quantileMicros(double q) {
    if (total == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return topOf(i);
      }
    }
    return topOf(BUCKETS - 1);
  }

  private void halve() {
    total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] >>= 1;
      total += counts[i];
    }
  }

  /** 0-3 µs have a bucket each; above, a power of two [2^e, 2^(e+1)) is split in four equal buckets. */
  static int bucketOf(long micros) {
    if (micros < 4) {
      return (int) micros;
    }
    int e = 63 - Long.numberOfLeadingZeros(micros);
    int quarter = (int) (micros >>> (e - 2)) & 3;
    return 4 * (e - 1) + quarter;
  }

  /** The largest value in bucket {@code i}. */
  static long topOf(int i) {
    if (i < 4) {
      return i;
    }
    int e = i / 4 + 1;
    int quarter = i % 4;
    return ((5L + quarter) << (e - 2)) - 1;
  }
}
