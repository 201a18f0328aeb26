package io.maas.worker.batching;

import io.maas.inference.QueueTicket;
import java.util.concurrent.TimeUnit;

/**
 * One request's standing in a worker's queue: its {@link QueueTicket} (key, weight, priority level, own timeout),
 * its deadline on this worker's clock, its cancellation, and, once it ran, how long it waited.
 *
 * <p>Thread-safe: cancellation comes from the event bus, the queue runs on the slot's threads.
 */
public final class Queueing {
  private static final QueueTicket UNTRACKED = new QueueTicket("", "", 1, 0, 0, 0);

  private final QueueTicket ticket;
  private final long deadlineNanos;
  private final boolean hasDeadline;
  /** Guarded by this. */
  private Runnable onCancel;
  private boolean cancelled;
  private volatile long waitedNanos;

  private Queueing(QueueTicket ticket, long deadlineNanos, boolean hasDeadline) {
    this.ticket = ticket;
    this.deadlineNanos = deadlineNanos;
    this.hasDeadline = hasDeadline;
  }

  /** A request that came with no ticket (warm-up, local calls): no key, weight 1, the default level, no deadline. */
  public static Queueing untracked() {
    return new Queueing(UNTRACKED, 0, false);
  }

  /** A request that arrived at {@code arrivedNanos} ({@link System#nanoTime()}) with this ticket. */
  public static Queueing of(QueueTicket ticket, long arrivedNanos) {
    boolean deadline = ticket.remainingMillis() > 0;
    return new Queueing(ticket, arrivedNanos + TimeUnit.MILLISECONDS.toNanos(ticket.remainingMillis()), deadline);
  }

  public QueueTicket ticket() {
    return ticket;
  }

  public boolean hasDeadline() {
    return hasDeadline;
  }

  /** When the request's deadline passes ({@link System#nanoTime()}); meaningful only {@link #hasDeadline()}. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** Runs {@code cancel} when the request is cancelled (at once if it already was); replaces an earlier hook. */
  public void onCancel(Runnable cancel) {
    synchronized (this) {
      if (!cancelled) {
        onCancel = cancel;
        return;
      }
    }
    cancel.run();
  }

  /** Cancels the request: its queue drops it if it is still waiting. Only the first call counts. */
  public void cancel() {
    Runnable hook;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      hook = onCancel;
      onCancel = null;
    }
    if (hook != null) {
      hook.run();
    }
  }

  public synchronized boolean cancelled() {
    return cancelled;
  }

  /** Records that the request left the queue to run after waiting this long. */
  void ran(long waited) {
    waitedNanos = waited;
  }

  /** How long the request waited in the queue before it ran (0 if it did not run). */
  public long waitedNanos() {
    return waitedNanos;
  }
}
