package io.maas.worker.batching;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The system clock with a precise timer: a {@link ScheduledExecutorService} wakes up in nanoseconds (tens
 * of microseconds in practice), where Vert.x timers count whole milliseconds; a queue delay of 500 µs
 * must not become 1 ms. The due task is handed to {@code dispatch} (the verticle's context) to run.
 */
public final class SystemBatchClock implements BatchClock {
  private final ScheduledExecutorService timer;
  private final Executor dispatch;

  public SystemBatchClock(ScheduledExecutorService timer, Executor dispatch) {
    this.timer = timer;
    this.dispatch = dispatch;
  }

  /** The thread that wakes a slot's batchers when a queue delay ends: a daemon; shut it down with the slot. */
  public static ScheduledExecutorService newTimer(String device) {
    return Executors.newSingleThreadScheduledExecutor(task -> {
      Thread t = new Thread(task, "maas-batch-timer-" + device);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A clock whose due tasks run on the calling thread's Vert.x context (the loading verticle's), or on the
   * timer thread where there is none.
   */
  public static SystemBatchClock onCurrentContext(ScheduledExecutorService timer) {
    Context context = Vertx.currentContext();
    return new SystemBatchClock(timer, context == null ? Runnable::run : task -> context.runOnContext(v -> task.run()));
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void schedule(long delayNanos, Runnable task) {
    timer.schedule(() -> dispatch.execute(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }
}
