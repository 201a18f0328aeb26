package io.maas.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs loads on ONE Vert.x event loop, so that the generator costs little on the cores it shares with
 * the server: every request is asynchronous, and every answer is recorded on that loop.
 *
 * <ul>
 *   <li>{@link #closedLoop}: {@code concurrency} requests in flight; each answer sends the next one.
 *   <li>{@link #openLoop}: requests sent at a fixed rate whatever the answers; latency from each request's
 *       intended start (a 1 ms timer sends every request that is due, so latencies include up to 1 ms of
 *       timer lag); at most {@code maxOutstanding} in flight, more count as failures.
 *   <li>{@link #requests}: exactly {@code count} requests, {@code concurrency} in flight, every one counted.
 * </ul>
 * Both warm up first (not counted), then count what completes inside the measured window, then wait
 * (bounded) for the requests still in flight so that the next load starts clean.
 */
public final class LoadGenerator implements AutoCloseable {
  static final long DRAIN_MILLIS = 60_000;

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
      .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
  private final Context context = vertx.getOrCreateContext();

  public Vertx vertx() {
    return vertx;
  }

  public LoadResult closedLoop(Transport transport, int concurrency, Duration warmUp, Duration measure) {
    Promise<LoadResult> done = Promise.promise();
    context.runOnContext(v -> new ClosedLoop(transport, concurrency, warmUp, measure, done).start());
    return done.future().await();
  }

  /**
   * Exactly {@code count} requests, {@code concurrency} in flight (each answer sends the next one), all counted:
   * no warm-up, the measured time from the first send to the last answer; latency from each send.
   */
  public LoadResult requests(Transport transport, long count, int concurrency) {
    Promise<LoadResult> done = Promise.promise();
    context.runOnContext(v -> new Counted(transport, count, concurrency, done).start());
    return done.future().await();
  }

  public LoadResult openLoop(Transport transport, double rate, int maxOutstanding, Duration warmUp,
      Duration measure) {
    Promise<LoadResult> done = Promise.promise();
    context.runOnContext(v -> new OpenLoop(transport, rate, maxOutstanding, warmUp, measure, done).start());
    return done.future().await();
  }

  private final class ClosedLoop {
    private final Transport transport;
    private final int concurrency;
    private final Recorder recorder;
    private final long end;
    private final Promise<LoadResult> done;
    private int inFlight;

    ClosedLoop(Transport transport, int concurrency, Duration warmUp, Duration measure, Promise<LoadResult> done) {
      long now = System.nanoTime();
      this.transport = transport;
      this.concurrency = concurrency;
      this.recorder = new Recorder(now + warmUp.toNanos(), now + warmUp.toNanos() + measure.toNanos());
      this.end = now + warmUp.toNanos() + measure.toNanos();
      this.done = done;
    }

    void start() {
      for (int i = 0; i < concurrency; i++) {
        inFlight++;
        next();
      }
      vertx.setTimer(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + DRAIN_MILLIS,
          t -> done.tryComplete(recorder.result(transport.itemsPerRequest())));
    }

    private void next() {
      long start = System.nanoTime();
      if (start >= end) {
        if (--inFlight == 0) {
          done.tryComplete(recorder.result(transport.itemsPerRequest()));
        }
        return;
      }
      transport.send().onComplete(ar -> {
        long now = System.nanoTime();
        if (ar.succeeded()) {
          recorder.success(start, now);
        } else {
          recorder.failure(now, String.valueOf(ar.cause().getMessage()));
        }
        next();
      });
    }
  }

  private final class Counted {
    private final Transport transport;
    private final long count;
    private final int concurrency;
    private final long start = System.nanoTime();
    private final Recorder recorder = new Recorder(start, Long.MAX_VALUE);
    private final Promise<LoadResult> done;
    private long sent;
    private long answered;

    Counted(Transport transport, long count, int concurrency, Promise<LoadResult> done) {
      this.transport = transport;
      this.count = count;
      this.concurrency = concurrency;
      this.done = done;
    }

    void start() {
      if (count <= 0) {
        finish();
        return;
      }
      for (int i = 0; i < Math.min(concurrency, count); i++) {
        next();
      }
    }

    private void next() {
      sent++;
      long at = System.nanoTime();
      transport.send().onComplete(ar -> {
        long now = System.nanoTime();
        if (ar.succeeded()) {
          recorder.success(at, now);
        } else {
          recorder.failure(now, String.valueOf(ar.cause().getMessage()));
        }
        if (++answered == count) {
          finish();
        } else if (sent < count) {
          next();
        }
      });
    }

    private void finish() {
      LoadResult r = recorder.result(transport.itemsPerRequest());
      done.tryComplete(new LoadResult(r.successes(), r.failures(), r.firstFailures(),
          (System.nanoTime() - start) / 1e9, r.latencyMicros(), r.itemsPerRequest(), r.successes()));
    }
  }

  private final class OpenLoop {
    private final Transport transport;
    private final int maxOutstanding;
    private final Recorder recorder;
    private final OpenLoopSchedule schedule;
    private final long end;
    private final Promise<LoadResult> done;
    private int inFlight;
    private long timer;

    OpenLoop(Transport transport, double rate, int maxOutstanding, Duration warmUp, Duration measure,
        Promise<LoadResult> done) {
      long now = System.nanoTime();
      this.transport = transport;
      this.maxOutstanding = maxOutstanding;
      this.recorder = new Recorder(now + warmUp.toNanos(), now + warmUp.toNanos() + measure.toNanos());
      this.schedule = new OpenLoopSchedule(now, rate);
      this.end = now + warmUp.toNanos() + measure.toNanos();
      this.done = done;
    }

    void start() {
      timer = vertx.setPeriodic(1, t -> tick());
      vertx.setTimer(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + DRAIN_MILLIS,
          t -> finish());
    }

    private void tick() {
      long now = System.nanoTime();
      if (now >= end) {
        vertx.cancelTimer(timer);
        if (inFlight == 0) {
          finish();
        }
        return;
      }
      while (schedule.due(now)) {
        long intended = schedule.take();
        if (inFlight >= maxOutstanding) {
          recorder.failure(now, "generator: more than " + maxOutstanding + " requests outstanding, not sent");
          continue;
        }
        inFlight++;
        transport.send().onComplete(ar -> {
          long at = System.nanoTime();
          if (ar.succeeded()) {
            recorder.success(intended, at);
          } else {
            recorder.failure(at, String.valueOf(ar.cause().getMessage()));
          }
          if (--inFlight == 0 && at >= end) {
            finish();
          }
        });
      }
    }

    private void finish() {
      vertx.cancelTimer(timer);
      done.tryComplete(recorder.result(transport.itemsPerRequest()));
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
