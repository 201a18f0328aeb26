package io.maas.worker.batching;

/**
 * The time a {@link DynamicBatcher} reads and the timer it waits with: the system's in production, a
 * hand-driven one in tests.
 */
public interface BatchClock {

  /** The current time in nanoseconds, as {@link System#nanoTime()} (only differences mean anything). */
  long nanoTime();

  /** Runs the task once, {@code delayNanos} from now, on a thread where it may call back into the batcher. */
  void schedule(long delayNanos, Runnable task);
}
