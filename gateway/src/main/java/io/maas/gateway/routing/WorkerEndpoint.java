package io.maas.gateway.routing;

import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker verticle as the gateway sees it: its latest announcement, when that expires, whether its
 * address is known to be reachable yet, how many requests this gateway has sent it that are not answered
 * yet, and the guard (breaker, bulkhead) every request to it passes.
 */
public final class WorkerEndpoint {
  private final String workerId;
  private final WorkerGuard guard;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile WorkerAnnouncement announcement;
  private volatile long expiresAtNanos;
  private volatile boolean reachable;

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

  public void markReachable() {
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

  public void started() {
    inFlight.incrementAndGet();
  }

  public void finished() {
    inFlight.decrementAndGet();
  }

  /** Whether this worker holds the model version READY. */
  public boolean serves(String model, String version) {
    for (ModelStatus s : announcement.models()) {
      if (s.isReady() && s.name().equals(model) && s.version().equals(version)) {
        return true;
      }
    }
    return false;
  }
}
