package io.maas.gateway.routing;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.maas.config.GatewayConfig;
import java.time.Duration;

/**
 * Resilience4j around one gateway → worker hop: a circuit breaker and a bulkhead for one worker.
 *
 * <p>Only the non-blocking permission API is used: {@link #tryEnter()} answers at once (the bulkhead's
 * wait is zero, the breaker never waits) and the caller reports the outcome on its permit when the
 * event-bus reply arrives. The breaker moves from open to half-open when a caller next asks after the
 * wait (no scheduler thread).
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
    this.bulkhead = Bulkhead.of(workerId, BulkheadConfig.custom()
        .maxConcurrentCalls(config.maxInFlightPerWorker())
        .maxWaitDuration(Duration.ZERO) // never wait on the event loop: a full worker is skipped
        .build());
  }

  /** A permit to send one request, or the refusal; never waits. */
  public Entry tryEnter() {
    if (!breaker.tryAcquirePermission()) {
      return new Entry(null, Refusal.BREAKER_OPEN);
    }
    if (!bulkhead.tryAcquirePermission()) {
      breaker.releasePermission();
      return new Entry(null, Refusal.BULKHEAD_FULL);
    }
    return new Entry(new Permit(breaker.getCurrentTimestamp()), null);
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
    private final long startedAt;

    private Permit(long startedAt) {
      this.startedAt = startedAt;
    }

    public void complete(Outcome outcome, Throwable cause) {
      bulkhead.onComplete();
      long took = breaker.getCurrentTimestamp() - startedAt;
      switch (outcome) {
        case SUCCESS -> breaker.onSuccess(took, breaker.getTimestampUnit());
        case FAILURE -> breaker.onError(took, breaker.getTimestampUnit(), cause);
        case IGNORED -> breaker.releasePermission();
      }
    }
  }
}
