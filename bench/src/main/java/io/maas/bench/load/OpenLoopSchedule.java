package io.maas.bench.load;

/**
 * When each request of an open loop at a fixed rate is due: request {@code i} at
 * {@code start + i / rate}. Latency is measured from this intended start, not from when the generator
 * got round to sending it, so a server that falls behind is charged for the wait (no coordinated
 * omission).
 */
public final class OpenLoopSchedule {
  private final long start;
  private final double intervalNanos;
  private long next;

  public OpenLoopSchedule(long startNanos, double ratePerSecond) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
    }
    this.start = startNanos;
    this.intervalNanos = 1e9 / ratePerSecond;
  }

  /** Whether the next request is due at {@code now}. */
  public boolean due(long now) {
    return intendedStart(next) <= now;
  }

  /** Takes the next request; gives its intended start. */
  public long take() {
    return intendedStart(next++);
  }

  public long intendedStart(long index) {
    return start + Math.round(index * intervalNanos);
  }

  /** Requests taken so far. */
  public long taken() {
    return next;
  }
}
