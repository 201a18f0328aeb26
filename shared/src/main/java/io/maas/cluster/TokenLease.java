package io.maas.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.Map;

/**
 * Takes up to {@code want} tokens at once from a key's cluster-wide token bucket, atomically, on the member
 * that owns the bucket's partition: a gateway leases them and spends them locally, so N gateways share one
 * bucket (never N x the limit) without a cluster call per request. Every token leased counts against the
 * daily quota; {@link TokenReturn} gives back what a lease did not spend.
 *
 * <p>The result is {@code long[]{granted, remaining, rateWaitMillis, quotaWaitMillis}}: the tokens granted
 * (0 to {@code want}), whole tokens left in the bucket, the wait until the bucket holds a token again (0 if
 * it does), and, when the daily quota is spent, the wait until it renews at 00:00 UTC (else 0).
 */
public final class TokenLease extends ClusterEntryProcessor<String, long[], long[]> {
  public static final int GRANTED = 0;
  public static final int REMAINING = 1;
  public static final int RATE_WAIT = 2;
  public static final int QUOTA_WAIT = 3;

  private double ratePerSecond;
  private long burst;
  private long dailyQuota;
  private long want;

  /** For deserialization. */
  TokenLease() {
    super(ClusterSerialization.TOKEN_LEASE);
  }

  /**
   * @param ratePerSecond tokens added per second
   * @param burst the bucket's capacity
   * @param dailyQuota the most tokens taken per UTC day (0: no quota)
   * @param want how many tokens the lease asks for (at least 1)
   */
  public TokenLease(double ratePerSecond, long burst, long dailyQuota, long want) {
    super(ClusterSerialization.TOKEN_LEASE);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.dailyQuota = dailyQuota;
    this.want = Math.max(1, want);
  }

  @Override
  public long[] process(Map.Entry<String, long[]> entry) {
    long now = System.currentTimeMillis();
    TokenBucket b = TokenBucket.at(entry.getValue(), now, ratePerSecond, burst);
    long quotaLeft = dailyQuota > 0 ? Math.max(0, dailyQuota - b.dayCount) : Long.MAX_VALUE;
    long granted = Math.min(want, Math.min(b.whole(), quotaLeft));
    b.microTokens -= granted * TokenBucket.MICRO;
    b.dayCount += granted;
    entry.setValue(b.value());
    long quotaWait = dailyQuota > 0 && b.dayCount >= dailyQuota ? b.millisToNextDay(now) : 0;
    return new long[] {granted, b.whole(), b.millisToNextToken(ratePerSecond), quotaWait};
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeDouble(ratePerSecond);
    out.writeLong(burst);
    out.writeLong(dailyQuota);
    out.writeLong(want);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    ratePerSecond = in.readDouble();
    burst = in.readLong();
    dailyQuota = in.readLong();
    want = in.readLong();
  }
}
