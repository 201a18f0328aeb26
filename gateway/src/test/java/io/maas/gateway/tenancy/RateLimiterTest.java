package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.cluster.TokenLease;
import io.maas.cluster.TokenReturn;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The limiter against the real entry processors on an in-memory bucket (the cluster map's owner, minus the
 * network): what several gateways admit together never exceeds the one bucket, and most calls cost no lease.
 */
class RateLimiterTest {
  /** One cluster's buckets; leases answer at once, or wait for {@link #answerAll} when deferred. */
  private static final class MemoryBuckets implements Buckets {
    final Map<String, Map.Entry<String, long[]>> entries = new HashMap<>();
    final List<Runnable> deferred = new ArrayList<>();
    boolean defer;
    int leases;
    long givenBack;

    private Map.Entry<String, long[]> entry(String id) {
      return entries.computeIfAbsent(id, k -> new AbstractMap.SimpleEntry<>(k, null));
    }

    @Override
    public Future<long[]> lease(ApiKey key, long want) {
      leases++;
      TokenLease lease = new TokenLease(key.ratePerSecond(), key.burst(), key.dailyQuota(), want);
      if (!defer) {
        return Future.succeededFuture(lease.process(entry(key.id())));
      }
      Promise<long[]> p = Promise.promise();
      deferred.add(() -> p.complete(lease.process(entry(key.id()))));
      return p.future();
    }

    @Override
    public void giveBack(ApiKey key, long tokens, long leasedAtMillis) {
      givenBack += tokens;
      new TokenReturn(key.ratePerSecond(), key.burst(), tokens, leasedAtMillis).process(entry(key.id()));
    }

    void answerAll() {
      List<Runnable> now = new ArrayList<>(deferred);
      deferred.clear();
      now.forEach(Runnable::run);
    }
  }

  private final MemoryBuckets buckets = new MemoryBuckets();
  private long nanos = 1_000_000_000L;

  private RateLimiter gateway() {
    return new RateLimiter(buckets, () -> nanos, System::currentTimeMillis);
  }

  private static ApiKey key(double rate, long burst, long quota) {
    return new ApiKey("abcdefgh1234", "00", "k", "", List.of("*"), Scopes.DEFAULT, rate, burst, quota, QueueShare.DEFAULT, 0, true, 1, 1);
  }

  private static Take take(RateLimiter limiter, ApiKey key) {
    Future<Take> f = limiter.take(key);
    assertTrue(f.isComplete(), "answered");
    return f.result();
  }

  @Test
  void aSlowKeyLetsItsBurstThroughThenRefusesLocallyWithTheWait() {
    RateLimiter g = gateway();
    ApiKey slow = key(0.1, 2, 0);
    Take first = take(g, slow);
    assertTrue(first.allowed());
    assertEquals(1, first.remaining(), "one token left of the burst");
    assertTrue(take(g, slow).allowed());
    Take refused = take(g, slow);
    assertEquals(Take.Outcome.RATE_LIMITED, refused.outcome());
    assertEquals(0, refused.remaining());
    assertTrue(refused.waitMillis() > 9_000 && refused.waitMillis() <= 10_000, "the next token in ~10 s: " + refused.waitMillis());
    int leases = buckets.leases;
    for (int i = 0; i < 100; i++) {
      assertEquals(Take.Outcome.RATE_LIMITED, take(g, slow).outcome());
    }
    assertEquals(leases, buckets.leases, "refusals within the wait ask the cluster nothing");
    nanos += RateLimiter.MAX_LOCAL_REFUSAL_NANOS;
    assertEquals(Take.Outcome.RATE_LIMITED, take(g, slow).outcome(), "re-asked after a second, still dry");
    assertEquals(leases + 1, buckets.leases);
  }

  @Test
  void aBusyKeyWithAHighLimitLeasesInGrowingBatches() {
    RateLimiter g = gateway();
    ApiKey busy = key(1_000_000, 10_000_000, 0);
    for (int i = 0; i < 10_000; i++) {
      assertTrue(take(g, busy).allowed());
      nanos += 10_000; // 100k calls/s
    }
    assertTrue(buckets.leases < 40, "10,000 calls took " + buckets.leases + " leases");
  }

  @Test
  void gatewaysSharingOneBucketNeverAdmitMoreThanItHolds() {
    ApiKey shared = key(0.001, 50, 0); // no refill within the test
    List<RateLimiter> gateways = List.of(gateway(), gateway(), gateway());
    int admitted = 0;
    for (int i = 0; i < 600; i++) {
      if (take(gateways.get(i % 3), shared).allowed()) {
        admitted++;
      }
      nanos += 100_000;
    }
    assertEquals(50, admitted, "the burst, once, across three gateways");
  }

  @Test
  void theDailyQuotaHoldsAcrossGatewaysAndIsToldApart() {
    ApiKey quota = key(1000, 1000, 30);
    List<RateLimiter> gateways = List.of(gateway(), gateway());
    int admitted = 0;
    Take last = null;
    for (int i = 0; i < 200; i++) {
      last = take(gateways.get(i % 2), quota);
      admitted += last.allowed() ? 1 : 0;
      nanos += 50_000;
    }
    assertTrue(admitted <= 30, "never over the quota: " + admitted);
    assertEquals(Take.Outcome.QUOTA_EXHAUSTED, last.outcome());
    nanos += RateLimiter.LEASE_TTL_NANOS;
    gateways.forEach(RateLimiter::sweep);
    nanos += RateLimiter.MAX_LOCAL_REFUSAL_NANOS;
    for (int i = 0; i < 100; i++) {
      admitted += take(gateways.get(i % 2), quota).allowed() ? 1 : 0;
    }
    assertEquals(30, admitted, "leases given back are spent: the whole quota, not more");
  }

  @Test
  void anUnspentLeaseGoesBackToTheBucketForOtherGateways() {
    ApiKey k = key(100, 100, 0); // leases up to 10 tokens
    RateLimiter a = gateway();
    RateLimiter b = gateway();
    for (int i = 0; i < 20; i++) {
      assertTrue(take(a, k).allowed());
      nanos += 1_000;
    }
    long held = a.held(k.id());
    assertTrue(held > 0, "A holds the rest of its lease");
    nanos += RateLimiter.LEASE_TTL_NANOS;
    a.sweep();
    assertEquals(0, a.held(k.id()));
    assertEquals(held, buckets.givenBack);
    int admitted = 0;
    for (int i = 0; i < 200; i++) {
      admitted += take(b, k).allowed() ? 1 : 0;
    }
    assertTrue(admitted >= 80 - 1, "B gets the 80 A left, returned ones included: " + admitted);
    assertTrue(admitted <= 80 + 1, "and no more (a token may refill meanwhile): " + admitted);
  }

  @Test
  void callsArrivingDuringALeaseWaitForItInOrderAndTheRestAreRefusedWhenDry() {
    buckets.defer = true;
    RateLimiter g = gateway();
    ApiKey k = key(0.001, 3, 0);
    List<Future<Take>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(g.take(k));
    }
    assertEquals(1, buckets.leases, "one lease on its way for all of them");
    calls.forEach(f -> assertTrue(!f.isComplete()));
    buckets.answerAll(); // asked for 1: granted 1; 4 more wait: one lease for 4
    buckets.answerAll();
    assertTrue(calls.stream().allMatch(Future::isComplete));
    assertEquals(List.of(true, true, true, false, false), calls.stream().map(f -> f.result().allowed()).toList());
    assertEquals(0, calls.get(2).result().remaining());
    assertEquals(TimeUnit.SECONDS.toMillis(1000), calls.get(4).result().waitMillis(), 1000.0);
  }

  @Test
  void aChangedKeyStartsAfreshAndGivesBackWhatItsOldVersionHeld() {
    RateLimiter g = gateway();
    ApiKey k = key(100, 100, 0);
    for (int i = 0; i < 20; i++) {
      take(g, k);
    }
    long held = g.held(k.id());
    ApiKey raised = new ApiKey(k.id(), "00", "k", "", List.of("*"), Scopes.DEFAULT, 200, 200, 0, QueueShare.DEFAULT, 0, true, 1, 2);
    assertTrue(take(g, raised).allowed());
    assertEquals(held, buckets.givenBack, "the old version's lease went back");
  }
}
