package io.maas.worker.batching;

import java.util.concurrent.TimeUnit;

/**
 * How one priority level's queue treats its requests (Triton's {@code ModelQueuePolicy}).
 *
 * @param timeoutAction what happens to a request that waited past its queue timeout
 * @param defaultTimeoutMicros the queue timeout of the level's requests; 0 for none
 * @param allowTimeoutOverride whether a request's own {@code timeout} parameter replaces it
 * @param maxQueueSize the most requests the level may hold waiting
 */
public record QueuePolicy(TimeoutAction timeoutAction, long defaultTimeoutMicros, boolean allowTimeoutOverride,
    int maxQueueSize) {

  /** Triton's {@code TimeoutAction}. */
  public enum TimeoutAction {
    /** Answer the request DEADLINE_EXCEEDED without running it. */
    REJECT,
    /** Keep it, behind every request of its level that has not timed out. */
    DELAY
  }

  public QueuePolicy {
    if (defaultTimeoutMicros < 0) {
      throw new IllegalArgumentException("default_timeout_microseconds must be 0 (none) or more, not "
          + defaultTimeoutMicros);
    }
    if (maxQueueSize < 1) {
      throw new IllegalArgumentException("max_queue_size must be 1 or more, not " + maxQueueSize);
    }
  }

  /** No timeout, at most {@code maxQueueSize} waiting. */
  public static QueuePolicy bounded(int maxQueueSize) {
    return new QueuePolicy(TimeoutAction.REJECT, 0, false, maxQueueSize);
  }

  /**
   * The queue timeout of a request, in nanoseconds; 0 for none.
   *
   * @param requestTimeoutMicros the request's own {@code timeout} parameter, 0 when it set none
   */
  public long timeoutNanos(long requestTimeoutMicros) {
    long micros = allowTimeoutOverride && requestTimeoutMicros > 0 ? requestTimeoutMicros : defaultTimeoutMicros;
    return TimeUnit.MICROSECONDS.toNanos(micros);
  }
}
