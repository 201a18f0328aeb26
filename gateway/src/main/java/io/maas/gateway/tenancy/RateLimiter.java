package io.maas.gateway.tenancy;

import io.maas.cluster.TokenLease;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Each key's one cluster-wide token bucket, spent locally: this gateway leases tokens from the bucket in
 * small batches ({@link TokenLease}, atomic on the bucket's owner) and admits calls from its lease, so most
 * calls cost no cluster round trip. Every admitted call spent a token taken from the one bucket, so N gateways
 * never admit more than the key's limit; what a lease does not spend within {@link #LEASE_TTL_NANOS} goes
 * back to the bucket (and the daily count).
 *
 * <p>A lease starts at one token and doubles while leases are spent within half their time, up to
 * {@link #LEASE_SECONDS_OF_RATE} seconds of the key's rate and a quarter of its burst; keys with small limits
 * therefore lease one token per call, exactly as a shared bucket would decide. When the bucket is dry this
 * gateway refuses locally until the next token is due (re-asking at least every {@link #MAX_LOCAL_REFUSAL_NANOS}),
 * so a flood of refused calls costs no cluster calls either. Calls that arrive while a lease is on its way
 * wait for it, in order.
 *
 * <p>Confined to the gateway's event loop.
 */
final class RateLimiter {
  static final long LEASE_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  static final long MAX_LOCAL_REFUSAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final double LEASE_SECONDS_OF_RATE = 0.1;
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Buckets buckets;
  private final LongSupplier nanoTime;
  private final LongSupplier currentMillis;
  private final HashMap<String, Local> byKey = new HashMap<>();

  RateLimiter(Buckets buckets, LongSupplier nanoTime, LongSupplier currentMillis) {
    this.buckets = buckets;
    this.nanoTime = nanoTime;
    this.currentMillis = currentMillis;
  }

  /** Admits or refuses one call of the key. */
  Future<Take> take(ApiKey key) {
    long now = nanoTime.getAsLong();
    Local b = byKey.get(key.id());
    if (b == null || b.key.updatedAt() != key.updatedAt()) { // new, or its limits changed
      if (b != null) {
        b.retire();
      }
      b = new Local(key);
      byKey.put(key.id(), b);
    }
    b.lastUsed = now;
    if (b.held > 0 && now - b.leasedAt < LEASE_TTL_NANOS) {
      b.held--;
      if (b.size > 1 && !b.leasing && b.held * 2 < b.size) {
        b.lease(now); // the next lease is on its way before this one runs out
      }
      return Future.succeededFuture(Take.allowed(b.bucketRemaining + b.held));
    }
    b.giveBack();
    if (now < b.recheckAt) {
      return Future.succeededFuture(b.refusal(now));
    }
    Promise<Take> p = Promise.promise();
    b.waiters.add(p);
    if (!b.leasing) {
      b.lease(now);
    }
    return p.future();
  }

  /** Gives back leases past their time and forgets keys idle for a minute: call it every ~100 ms. */
  void sweep() {
    long now = nanoTime.getAsLong();
    for (Iterator<Local> it = byKey.values().iterator(); it.hasNext(); ) {
      Local b = it.next();
      if (b.held > 0 && now - b.leasedAt >= LEASE_TTL_NANOS) {
        b.giveBack();
        b.size = Math.max(1, b.size / 2); // it asked for more than it spent
      }
      if (now - b.lastUsed > IDLE_NANOS && b.held == 0 && !b.leasing && b.waiters.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Gives back every unspent lease (a gateway stopping). */
  void close() {
    byKey.values().forEach(Local::retire);
    byKey.clear();
  }

  /** How many tokens this gateway holds for a key (tests). */
  long held(String keyId) {
    Local b = byKey.get(keyId);
    return b == null ? 0 : b.held;
  }

  /** This gateway's side of one key's bucket. */
  private final class Local {
    final ApiKey key;
    final long maxLease;
    final ArrayDeque<Promise<Take>> waiters = new ArrayDeque<>(2);
    long size = 1;
    long held;
    long leasedAt;
    long leasedAtMillis;
    long bucketRemaining;
    boolean leasing;
    boolean retired;
    Take.Outcome refusal = Take.Outcome.RATE_LIMITED;
    long refusedUntil;
    long recheckAt;
    long lastUsed;

    Local(ApiKey key) {
      this.key = key;
      this.maxLease = Math.max(1, Math.min(key.burst() / 4, (long) Math.ceil(key.ratePerSecond() * LEASE_SECONDS_OF_RATE)));
      this.leasedAt = Long.MIN_VALUE / 2;
    }

    void lease(long now) {
      if (now - leasedAt < LEASE_TTL_NANOS / 2) {
        size = Math.min(maxLease, size * 2); // the last lease went fast
      }
      long want = Math.max(size, waiters.size());
      leasing = true;
      buckets.lease(key, want).onComplete(ar -> leased(want, ar));
    }

    private void leased(long want, AsyncResult<long[]> ar) {
      leasing = false;
      long now = nanoTime.getAsLong();
      if (ar.failed()) {
        MaasException e = new MaasException(ErrorCode.UNAVAILABLE,
            "the rate limiter of API key maas_" + key.id() + " is unavailable: " + ar.cause().getMessage());
        while (!waiters.isEmpty()) {
          waiters.poll().fail(e);
        }
        return;
      }
      long[] r = ar.result();
      long granted = r[TokenLease.GRANTED];
      if (granted > 0) {
        held += granted;
        leasedAt = now;
        leasedAtMillis = currentMillis.getAsLong();
      }
      bucketRemaining = r[TokenLease.REMAINING];
      boolean dry = granted < want || r[TokenLease.QUOTA_WAIT] > 0;
      if (dry) {
        boolean quota = r[TokenLease.QUOTA_WAIT] > 0;
        long wait = TimeUnit.MILLISECONDS.toNanos(Math.max(1, quota ? r[TokenLease.QUOTA_WAIT] : r[TokenLease.RATE_WAIT]));
        refusal = quota ? Take.Outcome.QUOTA_EXHAUSTED : Take.Outcome.RATE_LIMITED;
        refusedUntil = now + wait;
        recheckAt = now + Math.min(wait, MAX_LOCAL_REFUSAL_NANOS);
      }
      while (!waiters.isEmpty() && held > 0) {
        held--;
        waiters.poll().complete(Take.allowed(bucketRemaining + held));
      }
      if (!waiters.isEmpty()) {
        if (dry) {
          while (!waiters.isEmpty()) {
            waiters.poll().complete(refusal(now));
          }
        } else {
          lease(now); // more calls came in than it asked for
        }
      }
      if (retired) {
        giveBack();
      }
    }

    Take refusal(long now) {
      long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(refusedUntil - now + 999_999));
      return new Take(refusal, refusal == Take.Outcome.QUOTA_EXHAUSTED ? bucketRemaining : 0, waitMillis);
    }

    void giveBack() {
      if (held > 0) {
        buckets.giveBack(key, held, leasedAtMillis);
        held = 0;
      }
    }

    void retire() {
      retired = true;
      giveBack();
    }
  }
}
