package io.maas.gateway.routing;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.maas.config.GatewayConfig;
import java.time.Duration;
import java.util.HashMap;

/**
 * Resilience4j around one gateway → worker hop: a circuit breaker and a bulkhead for one worker.
 *
 * <p>Only the non-blocking permission API is used: {@link #tryEnter} answers at once (the bulkhead's
 * wait is zero, the breaker never waits) and the caller reports the outcome on its permit when the
 * event-bus reply arrives. The breaker moves from open to half-open when a caller next asks after the
 * wait (no scheduler thread).
 *
 * <p>The bulkhead is fair between tenants (API keys): when it is full, a tenant holding fewer permits than its
 * fair share ({@code limit / tenants holding permits here}, itself included) still enters, on one of at most
 * {@code limit} permits beyond the bulkhead. So a key flooding the cluster cannot make the gateway refuse every
 * other key with 503 before the worker's fair queue sees them; the worker makes room for them there (it pushes
 * out the heaviest key's newest queued request), and the gateway's in flight stays within twice the limit.
 */
public final class WorkerGuard {
  /** Why a worker refused a request before it was sent. */
  public enum Refusal { BREAKER_OPEN, BULKHEAD_FULL }

  /** How a dispatch to the worker ended, as the breaker counts it. */
  public enum Outcome {
    /** The worker answered (a client error such as NOT_FOUND is an answer, too). */
    SUCCESS,
    /** The worker failed: INTERNAL, no answer in time, address unreachable. */
    FAILURE,
    /** Says nothing about the worker's health (it is draining, or the client's own short deadline passed). */
    IGNORED
  }

  private final CircuitBreaker breaker;
  private final Bulkhead bulkhead;
  private final int limit;
  /** Permits held per tenant (bulkhead's and beyond it), tenants holding none left out; guarded by itself. */
  private final HashMap<String, int[]> held = new HashMap<>();
  /** Permits beyond the bulkhead now held; guarded by {@link #held}. */
  private int beyond;

  public WorkerGuard(String workerId, GatewayConfig config) {
    GatewayConfig.BreakerConfig b = config.breaker();
    this.breaker = CircuitBreaker.of(workerId, CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(b.window())
        .minimumNumberOfCalls(b.minimumCalls())
        .failureRateThreshold(b.failureRatePercent())
        .waitDurationInOpenState(Duration.ofMillis(b.openMillis()))
        .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .build());
    this.limit = config.maxInFlightPerWorker();
    this.bulkhead = Bulkhead.of(workerId, BulkheadConfig.custom()
        .maxConcurrentCalls(limit)
        .maxWaitDuration(Duration.ZERO) // never wait on the event loop: a full worker is skipped
        .build());
  }

  /**
   * A permit to send one request of a tenant (an API key's id, "" without keys), or the refusal; never waits.
   * A full bulkhead still admits a tenant under its fair share, within the bound beyond it.
   */
  public Entry tryEnter(String tenant) {
    if (!breaker.tryAcquirePermission()) {
      return new Entry(null, Refusal.BREAKER_OPEN);
    }
    boolean overLimit = !bulkhead.tryAcquirePermission();
    synchronized (held) {
      int[] mine = held.get(tenant);
      int holding = mine == null ? 0 : mine[0];
      if (overLimit) {
        int tenants = held.size() + (mine == null ? 1 : 0);
        if (beyond >= limit || (long) holding * tenants >= limit) { // holding >= limit / tenants, in integers
          breaker.releasePermission();
          return new Entry(null, Refusal.BULKHEAD_FULL);
        }
        beyond++;
      }
      if (mine == null) {
        held.put(tenant, new int[] {1});
      } else {
        mine[0]++;
      }
    }
    return new Entry(new Permit(tenant, overLimit, breaker.getCurrentTimestamp()), null);
  }

  /** Permits a tenant holds now (for tests and diagnostics). */
  public int held(String tenant) {
    synchronized (held) {
      int[] mine = held.get(tenant);
      return mine == null ? 0 : mine[0];
    }
  }

  private void release(String tenant, boolean overLimit) {
    synchronized (held) {
      int[] mine = held.get(tenant);
      if (mine != null && --mine[0] == 0) {
        held.remove(tenant);
      }
      if (overLimit) {
        beyond--;
      }
    }
    if (!overLimit) {
      bulkhead.onComplete();
    }
  }

  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  /** Either a permit or a refusal. */
  public record Entry(Permit permit, Refusal refusal) {
    public boolean admitted() {
      return permit != null;
    }
  }

  /** One admitted request; {@link #complete} must be called exactly once. */
  public final class Permit {
    private final String tenant;
    private final boolean overLimit;
    private final long startedAt;

    private Permit(String tenant, boolean overLimit, long startedAt) {
      this.tenant = tenant;
      this.overLimit = overLimit;
      this.startedAt = startedAt;
    }

    public void complete(Outcome outcome, Throwable cause) {
      release(tenant, overLimit);
      long took = breaker.getCurrentTimestamp() - startedAt;
      switch (outcome) {
        case SUCCESS -> breaker.onSuccess(took, breaker.getTimestampUnit());
        case FAILURE -> breaker.onError(took, breaker.getTimestampUnit(), cause);
        case IGNORED -> breaker.releasePermission();
      }
    }
  }
}
