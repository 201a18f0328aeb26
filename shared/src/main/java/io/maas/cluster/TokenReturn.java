package io.maas.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.Map;

/**
 * Gives back tokens a {@link TokenLease} granted and nobody spent: the bucket (up to its capacity) and, on
 * the same UTC day, the daily count get them back, as if they had never been taken.
 */
public final class TokenReturn extends ClusterEntryProcessor<String, long[], Object> {
  private double ratePerSecond;
  private long burst;
  private long tokens;
  private long leasedDay;

  /** For deserialization. */
  TokenReturn() {
    super(ClusterSerialization.TOKEN_RETURN);
  }

  /**
   * @param leasedAtMillis when the tokens were leased: a lease of yesterday does not lower today's count
   */
  public TokenReturn(double ratePerSecond, long burst, long tokens, long leasedAtMillis) {
    super(ClusterSerialization.TOKEN_RETURN);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = tokens;
    this.leasedDay = leasedAtMillis / TokenBucket.DAY_MILLIS;
  }

  @Override
  public Object process(Map.Entry<String, long[]> entry) {
    if (entry.getValue() == null || tokens <= 0) {
      return null; // a bucket that is gone is full
    }
    TokenBucket b = TokenBucket.at(entry.getValue(), System.currentTimeMillis(), ratePerSecond, burst);
    b.microTokens = Math.min(burst * TokenBucket.MICRO, b.microTokens + tokens * TokenBucket.MICRO);
    if (b.day == leasedDay) {
      b.dayCount = Math.max(0, b.dayCount - tokens);
    }
    entry.setValue(b.value());
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeDouble(ratePerSecond);
    out.writeLong(burst);
    out.writeLong(tokens);
    out.writeLong(leasedDay);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    ratePerSecond = in.readDouble();
    burst = in.readLong();
    tokens = in.readLong();
    leasedDay = in.readLong();
  }
}
