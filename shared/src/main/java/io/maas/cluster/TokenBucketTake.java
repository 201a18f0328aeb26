package io.maas.cluster;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Takes one token from a cluster-wide token bucket, atomically, on the member that owns the bucket's
 * partition (so every gateway draws from the same bucket). The entry value is
 * {@code long[]{microTokens, lastRefillMillis, day, dayCount}}; the result is
 * {@code long[]{outcome, remainingTokens, waitMillis}} with outcome {@link #ALLOWED}, {@link #RATE_LIMITED} or
 * {@link #QUOTA_EXHAUSTED}. Lives in shared because every member (workers too) may own a partition.
 *
 * @param ratePerSecond tokens added per second
 * @param burst the bucket's capacity
 * @param dailyQuota the most tokens taken per UTC day (0: no quota)
 */
public record TokenBucketTake(double ratePerSecond, long burst, long dailyQuota)
    implements EntryProcessor<String, long[], long[]> {
  public static final long ALLOWED = 0;
  public static final long RATE_LIMITED = 1;
  public static final long QUOTA_EXHAUSTED = 2;
  private static final long MICRO = 1_000_000L;
  private static final long DAY_MILLIS = 86_400_000L;

  @Override
  public long[] process(Map.Entry<String, long[]> entry) {
    long now = System.currentTimeMillis();
    long day = now / DAY_MILLIS;
    long[] s = entry.getValue();
    if (s == null) {
      s = new long[] {burst * MICRO, now, day, 0};
    }
    long capacity = burst * MICRO;
    long refill = (long) ((now - s[1]) * ratePerSecond * 1000); // micro-tokens: ms * rate * 1e6 / 1e3
    long tokens = Math.min(capacity, s[0] + Math.max(0, refill));
    long dayCount = s[2] == day ? s[3] : 0;
    long[] result;
    if (dailyQuota > 0 && dayCount >= dailyQuota) {
      result = new long[] {QUOTA_EXHAUSTED, tokens / MICRO, (day + 1) * DAY_MILLIS - now};
    } else if (tokens >= MICRO) {
      tokens -= MICRO;
      dayCount++;
      result = new long[] {ALLOWED, tokens / MICRO, 0};
    } else {
      result = new long[] {RATE_LIMITED, 0, (long) Math.ceil((MICRO - tokens) / (ratePerSecond * 1000))};
    }
    entry.setValue(new long[] {tokens, now, day, dayCount});
    return result;
  }
}
