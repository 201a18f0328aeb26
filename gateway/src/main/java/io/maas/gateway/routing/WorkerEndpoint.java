package io.maas.gateway.routing;

import io.maas.error.MaasException;
import io.maas.model.WorkerAnnouncement;
import io.vertx.core.Promise;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker verticle as the gateway sees it: its latest announcement, when that expires, whether its
 * address is known to be reachable yet, how many requests this gateway has sent it that are not answered
 * yet, and the guard (breaker, bulkhead) every request to it passes. When it is lost (its cluster member left,
 * or it stopped announcing), the answers its requests are waiting for fail at once ({@link #lose}), so the
 * dispatcher can send them elsewhere instead of waiting out their deadlines.
 */
public final class WorkerEndpoint {
  private final String workerId;
  private final WorkerGuard guard;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile WorkerAnnouncement announcement;
  private volatile long expiresAtNanos;
  private volatile boolean reachable;
  /** The answers this gateway is waiting for: touched on the gateway's event loop only. */
  private final Set<Promise<?>> awaited = new HashSet<>();
  private MaasException lost;

  public WorkerEndpoint(WorkerAnnouncement announcement, WorkerGuard guard, long nowNanos) {
    this.workerId = announcement.workerId();
    this.guard = guard;
    refresh(announcement, nowNanos);
  }

  void refresh(WorkerAnnouncement a, long nowNanos) {
    this.announcement = a;
    this.expiresAtNanos = nowNanos + a.ttlMillis() * 1_000_000L;
  }

  boolean expired(long nowNanos) {
    return nowNanos - expiresAtNanos > 0;
  }

  public String workerId() {
    return workerId;
  }

  public String nodeId() {
    return announcement.nodeId();
  }

  public String address() {
    return announcement.address();
  }

  public WorkerAnnouncement announcement() {
    return announcement;
  }

  public WorkerGuard guard() {
    return guard;
  }

  /** Whether a request sent to its address has been seen to reach a handler (subscriptions spread late). */
  public boolean reachable() {
    return reachable;
  }

  void markReachable() {
    reachable = true;
  }

  /** This gateway's requests on it that are not answered yet. */
  public int inFlight() {
    return inFlight.get();
  }

  /** What the balancer compares: this gateway's in-flight requests plus the worker's reported queue depth. */
  public int load() {
    return inFlight.get() + announcement.queueDepth();
  }

  /** A request is on its way to this worker; its answer fails at once if the worker is (or gets) lost. */
  public void started(Promise<?> answer) {
    inFlight.incrementAndGet();
    if (lost != null) {
      answer.tryFail(lost);
    } else {
      awaited.add(answer);
    }
  }

  public void finished(Promise<?> answer) {
    inFlight.decrementAndGet();
    awaited.remove(answer);
  }

  /** Whether this failure is the worker's loss (then the request certainly needs another worker). */
  public boolean lostWith(Throwable failure) {
    return lost != null && failure == lost;
  }

  /** The worker is gone: every answer awaited from it fails with the reason, now and from now on. */
  void lose(MaasException reason) {
    lost = reason;
    for (Promise<?> answer : awaited.toArray(Promise<?>[]::new)) {
      answer.tryFail(reason);
    }
  }
}
