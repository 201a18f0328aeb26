package io.maas.gateway.edge;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Fires once when a body being read has sent nothing for the read timeout ({@code gateway.body_read_timeout_s}).
 * Each chunk only records the time; the timer re-arms itself for what is left when it finds there was activity.
 * Started and stopped around the spans in which the server waits for the client's bytes (not while it has
 * paused the body itself). Used from the request's context.
 */
public final class StallTimer {
  private final Vertx vertx;
  private final long timeoutNanos;
  private final Runnable onStall;
  private long lastActivity;
  private long timerId = -1;
  private boolean fired;

  public StallTimer(Vertx vertx, long timeoutSeconds, Runnable onStall) {
    this.vertx = vertx;
    this.timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    this.onStall = onStall;
  }

  /** Waits for the client's bytes from now on (nothing if it already does, or has fired). */
  public void start() {
    lastActivity = System.nanoTime();
    if (timerId < 0 && !fired) {
      arm(timeoutNanos);
    }
  }

  /** Bytes arrived. */
  public void activity() {
    lastActivity = System.nanoTime();
  }

  /** No longer waiting for the client (the body ended, failed, or the server paused it). */
  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  private void arm(long nanos) {
    timerId = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)), id -> check());
  }

  private void check() {
    timerId = -1;
    long idle = System.nanoTime() - lastActivity;
    if (idle >= timeoutNanos) {
      fired = true;
      onStall.run();
    } else {
      arm(timeoutNanos - idle);
    }
  }
}
