package io.maas.gateway.placement;

import io.maas.error.MaasException;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.model.ModelStatus;
import io.maas.model.VersionUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Load on demand: a request for a model version that placed workers can load but none holds ready waits, within
 * its deadline, while the placement decider places it (it is asked at once and again every second, so a new
 * decider hears it too). The wait ends when this gateway routes to the version, at once with 503 when the decider
 * says it cannot place it (a model larger than every budget, a pool full of models in use), or at the deadline.
 * Requests waiting for the same version share one watch. Runs on the gateway's event loop.
 */
public final class ColdLoads {
  /** How often a watch looks whether the version is routed to. */
  private static final long POLL_MS = 5;
  /** How often a watch asks the decider again. */
  private static final long ASK_AGAIN_MS = 1000;

  private final Vertx vertx;
  private final WorkerRegistry registry;
  private final Placer placer;
  private final Map<Unit, Watch> watches = new ConcurrentHashMap<>();
  private final Counter waits;
  private final Timer waited;

  public ColdLoads(Vertx vertx, WorkerRegistry registry, Placer placer, MeterRegistry meters) {
    this.vertx = vertx;
    this.registry = registry;
    this.placer = placer;
    this.waits = Counter.builder("maas.placement.cold.waits")
        .description("requests that waited for a model version loaded nowhere to be loaded (cold loads)")
        .register(meters);
    this.waited = Timer.builder("maas.placement.cold.wait")
        .description("how long requests waited for a cold load").register(meters);
  }

  /**
   * The version a request would wait for: the one it names, or else the highest version a placed worker lists; empty
   * when no placed worker lists the model (or that version), or every one that does failed to load it.
   */
  public Optional<String> loadableVersion(String model, String version) {
    String best = null;
    for (WorkerEndpoint w : registry.workers()) {
      if (!w.announcement().resources().placed() || w.announcement().draining()) {
        continue;
      }
      for (VersionUsage v : w.announcement().resources().versions()) {
        if (v.model().equals(model) && (version.isEmpty() || v.version().equals(version))
            && !failed(w, model, v.version())
            && (best == null || Long.parseLong(v.version()) > Long.parseLong(best))) {
          best = v.version();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private static boolean failed(WorkerEndpoint w, String model, String version) {
    for (ModelStatus s : w.announcement().models()) {
      if (s.name().equals(model) && s.version().equals(version)) {
        return s.failedToLoad();
      }
    }
    return false;
  }

  /**
   * Completes once this gateway routes to the version; fails with UNAVAILABLE (the decider's reason) or the
   * deadline's error.
   *
   * @param deadlineNanos when to stop waiting ({@link System#nanoTime()})
   * @param expired the failure at the deadline
   */
  public Future<Void> await(String model, String version, long deadlineNanos, MaasException expired) {
    if (!registry.candidates(model, version).isEmpty()) {
      return Future.succeededFuture();
    }
    waits.increment();
    long started = System.nanoTime();
    Unit unit = new Unit(model, version);
    Watch watch = watches.computeIfAbsent(unit, u -> new Watch(u, started));
    Promise<Void> mine = Promise.promise();
    long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - started);
    io.vertx.core.Timer due = vertx.timer(Math.max(1, remaining), TimeUnit.MILLISECONDS);
    due.onSuccess(t -> mine.tryFail(expired));
    watch.ready.future().onComplete(done -> {
      due.cancel();
      if (done.succeeded()) {
        mine.tryComplete();
      } else {
        mine.tryFail(done.cause());
      }
    });
    watch.until = Math.max(watch.until, deadlineNanos);
    return mine.future().andThen(done -> waited.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
  }

  /** One version's watch, shared by the requests waiting for it. */
  private final class Watch {
    final Unit unit;
    final Promise<Void> ready = Promise.promise();
    final long startedMillis = System.currentTimeMillis();
    long until;
    long askedAt;

    Watch(Unit unit, long now) {
      this.unit = unit;
      this.until = now;
      ask(now);
      vertx.setTimer(POLL_MS, id -> look());
    }

    private void ask(long now) {
      askedAt = now;
      placer.demand(unit.model(), unit.version());
    }

    private void look() {
      long now = System.nanoTime();
      if (!registry.candidates(unit.model(), unit.version()).isEmpty()) {
        end(null);
        return;
      }
      String refusal = placer.refusal(unit.model(), unit.version(), startedMillis);
      if (refusal != null) {
        end(MaasException.unavailable("model '%s' version %s cannot be loaded now: %s", unit.model(), unit.version(),
            refusal));
        return;
      }
      if (loadableVersion(unit.model(), unit.version()).isEmpty()) {
        // it failed to load on every placed worker listing it (its files are broken, or fail their SHA-256 check):
        // waiting to the deadline changes nothing; the request gets the usual not-ready error, with the reason
        end(MaasException.unavailable("model '%s' version %s is not ready: %s", unit.model(), unit.version(),
            registry.model(unit.model()).map(m -> m.notReadyReason(unit.version())).orElse("it failed to load")));
        return;
      }
      if (now - until > 0) {
        end(MaasException.unavailable("model '%s' version %s was not loaded in time", unit.model(), unit.version()));
        return;
      }
      if (now - askedAt > TimeUnit.MILLISECONDS.toNanos(ASK_AGAIN_MS)) {
        ask(now);
      }
      vertx.setTimer(POLL_MS, id -> look());
    }

    private void end(MaasException failure) {
      watches.remove(unit, this);
      if (failure == null) {
        ready.tryComplete();
      } else {
        ready.tryFail(failure);
      }
    }
  }
}
