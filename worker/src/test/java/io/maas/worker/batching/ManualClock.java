package io.maas.worker.batching;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A clock that moves only when a test advances it; due timers run inside {@link #advance}. */
final class ManualClock implements BatchClock {
  private record Timer(long dueNanos, Runnable task) {}

  private long now = 1_000_000_000L;
  private final List<Timer> timers = new ArrayList<>();

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized void schedule(long delayNanos, Runnable task) {
    timers.add(new Timer(now + delayNanos, task));
  }

  /** Moves time forward and runs the timers that fell due, in due order. */
  void advanceMicros(long micros) {
    List<Timer> due;
    synchronized (this) {
      now += micros * 1000;
      due = timers.stream().filter(t -> t.dueNanos <= now).sorted(Comparator.comparingLong(Timer::dueNanos)).toList();
      timers.removeAll(due);
    }
    due.forEach(t -> t.task.run());
  }

  synchronized int pendingTimers() {
    return timers.size();
  }
}
