package io.maas.gateway.cluster;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Polling with a deadline: the only way the cluster tests wait for something to happen. */
public final class Poll {
  private static final long INTERVAL_NANOS = Duration.ofMillis(25).toNanos();

  private Poll() {}

  /** Polls until the check gives a value, or fails naming what it waited for. */
  public static <T> T until(Duration timeout, String what, Supplier<Optional<T>> check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> value = check.get();
      if (value.isPresent()) {
        return value.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
      }
      LockSupport.parkNanos(INTERVAL_NANOS);
    }
  }

  public static void until(Duration timeout, String what, java.util.function.BooleanSupplier check) {
    until(timeout, what, () -> check.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
  }
}
