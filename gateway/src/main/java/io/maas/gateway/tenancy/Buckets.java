package io.maas.gateway.tenancy;

import io.vertx.core.Future;

/** The cluster-wide token buckets, one per key, as the {@link RateLimiter} uses them. */
interface Buckets {
  /** Leases up to {@code want} tokens: {@link io.maas.cluster.TokenLease}'s result. */
  Future<long[]> lease(ApiKey key, long want);

  /** Gives back tokens leased at {@code leasedAtMillis} and not spent (fire and forget). */
  void giveBack(ApiKey key, long tokens, long leasedAtMillis);
}
