package io.maas.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenLeaseTest {
  /** A map entry as Hazelcast hands it to an entry processor. */
  private static Map.Entry<String, long[]> bucket() {
    return new AbstractMap.SimpleEntry<>("k", null);
  }

  @Test
  void aFullBucketGrantsTheBurstThenNothingWithTheWaitForTheNextToken() {
    Map.Entry<String, long[]> e = bucket();
    long[] first = new TokenLease(1, 3, 0, 2).process(e);
    assertEquals(2, first[TokenLease.GRANTED]);
    assertEquals(1, first[TokenLease.REMAINING]);
    assertEquals(0, first[TokenLease.RATE_WAIT], "a token is left");
    long[] second = new TokenLease(1, 3, 0, 5).process(e);
    assertEquals(1, second[TokenLease.GRANTED], "only what the bucket holds");
    assertEquals(0, second[TokenLease.REMAINING]);
    long[] dry = new TokenLease(1, 3, 0, 1).process(e);
    assertEquals(0, dry[TokenLease.GRANTED]);
    assertTrue(dry[TokenLease.RATE_WAIT] > 900 && dry[TokenLease.RATE_WAIT] <= 1000, "about 1 s to the next token at 1/s: "
        + dry[TokenLease.RATE_WAIT]);
    assertEquals(0, dry[TokenLease.QUOTA_WAIT]);
  }

  @Test
  void theDailyQuotaCapsWhatLeasesGrantAndSaysWhenItRenews() {
    Map.Entry<String, long[]> e = bucket();
    long[] r = new TokenLease(1000, 1000, 5, 3).process(e);
    assertEquals(3, r[TokenLease.GRANTED]);
    assertEquals(0, r[TokenLease.QUOTA_WAIT]);
    r = new TokenLease(1000, 1000, 5, 3).process(e);
    assertEquals(2, r[TokenLease.GRANTED], "the quota has 2 left");
    assertTrue(r[TokenLease.QUOTA_WAIT] > 0 && r[TokenLease.QUOTA_WAIT] <= TokenBucket.DAY_MILLIS, "renews at 00:00 UTC");
    r = new TokenLease(1000, 1000, 5, 1).process(e);
    assertEquals(0, r[TokenLease.GRANTED]);
    assertTrue(r[TokenLease.QUOTA_WAIT] > 0);
  }

  @Test
  void returnedTokensGoBackToTheBucketAndTheDailyCount() {
    Map.Entry<String, long[]> e = bucket();
    assertEquals(4, new TokenLease(0.001, 4, 4, 4).process(e)[TokenLease.GRANTED]);
    assertEquals(0, new TokenLease(0.001, 4, 4, 1).process(e)[TokenLease.GRANTED]);
    new TokenReturn(0.001, 4, 3, System.currentTimeMillis()).process(e);
    long[] again = new TokenLease(0.001, 4, 4, 10).process(e);
    assertEquals(3, again[TokenLease.GRANTED], "3 returned: 3 to take again, within the bucket and the quota");
  }

  @Test
  void aReturnNeverFillsTheBucketOverItsCapacity() {
    Map.Entry<String, long[]> e = bucket();
    new TokenLease(0.001, 2, 0, 1).process(e);
    new TokenReturn(0.001, 2, 5, System.currentTimeMillis()).process(e);
    assertEquals(2, new TokenLease(0.001, 2, 0, 10).process(e)[TokenLease.GRANTED]);
  }
}
