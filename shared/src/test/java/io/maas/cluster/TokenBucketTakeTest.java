package io.maas.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenBucketTakeTest {
  /** A map entry as Hazelcast hands it to an entry processor. */
  private static final class Entry extends AbstractMap.SimpleEntry<String, long[]> {
    Entry() {
      super("k", null);
    }
  }

  private static long[] take(Map.Entry<String, long[]> e, TokenBucketTake t) {
    return t.process(e);
  }

  @Test
  void aFullBucketLetsTheBurstThroughThenRefusesWithTheWaitForTheNextToken() {
    Entry e = new Entry();
    TokenBucketTake t = new TokenBucketTake(1, 3, 0);
    assertEquals(TokenBucketTake.ALLOWED, take(e, t)[0]);
    assertEquals(TokenBucketTake.ALLOWED, take(e, t)[0]);
    long[] last = take(e, t);
    assertEquals(TokenBucketTake.ALLOWED, last[0]);
    assertEquals(0, last[1]);
    long[] refused = take(e, t);
    assertEquals(TokenBucketTake.RATE_LIMITED, refused[0]);
    assertTrue(refused[2] > 0 && refused[2] <= 1000, "waits at most a second for the next token: " + refused[2]);
  }

  @Test
  void aDailyQuotaIsToldApartFromTheRate() {
    Entry e = new Entry();
    TokenBucketTake t = new TokenBucketTake(1000, 1000, 2);
    assertEquals(TokenBucketTake.ALLOWED, take(e, t)[0]);
    assertEquals(TokenBucketTake.ALLOWED, take(e, t)[0]);
    long[] r = take(e, t);
    assertEquals(TokenBucketTake.QUOTA_EXHAUSTED, r[0]);
    assertTrue(r[2] > 0 && r[2] <= 86_400_000L, "waits until the next UTC day");
  }
}
