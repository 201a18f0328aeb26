package io.maas.cluster;

/**
 * The state of one key's cluster-wide token bucket as the {@code maas.buckets} map holds it,
 * {@code long[]{microTokens, lastRefillMillis, day, dayCount}} (a primitive array: Hazelcast serializes it
 * natively), and the arithmetic the entry processors share.
 */
final class TokenBucket {
  static final long MICRO = 1_000_000L;
  static final long DAY_MILLIS = 86_400_000L;

  long microTokens;
  long lastRefillMillis;
  long day;
  long dayCount;

  private TokenBucket() {}

  /** The bucket of a map value at {@code now}, refilled up to its capacity; a missing one is full. */
  static TokenBucket at(long[] value, long now, double ratePerSecond, long burst) {
    TokenBucket b = new TokenBucket();
    long today = now / DAY_MILLIS;
    long capacity = burst * MICRO;
    if (value == null) {
      b.microTokens = capacity;
      b.dayCount = 0;
    } else {
      long refill = (long) ((now - value[1]) * ratePerSecond * 1000); // micro-tokens: ms * rate * 1e6 / 1e3
      b.microTokens = Math.min(capacity, value[0] + Math.max(0, refill));
      b.dayCount = value[2] == today ? value[3] : 0;
    }
    b.lastRefillMillis = now;
    b.day = today;
    return b;
  }

  long whole() {
    return microTokens / MICRO;
  }

  /** Milliseconds until the bucket holds one whole token again. */
  long millisToNextToken(double ratePerSecond) {
    return microTokens >= MICRO ? 0 : (long) Math.ceil((MICRO - microTokens) / (ratePerSecond * 1000));
  }

  long millisToNextDay(long now) {
    return (day + 1) * DAY_MILLIS - now;
  }

  long[] value() {
    return new long[] {microTokens, lastRefillMillis, day, dayCount};
  }
}
