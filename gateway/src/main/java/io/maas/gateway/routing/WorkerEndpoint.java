package io.maas.gateway.routing;

import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker verticle as the gateway sees it: its latest announcement, when that expires, and how many
 * requests this gateway has sent it that are not answered yet.
 */
public final class WorkerEndpoint {
  private final String workerId;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile WorkerAnnouncement announcement;
  private volatile long expiresAtNanos;

  WorkerEndpoint(WorkerAnnouncement announcement, long nowNanos) {
    this.workerId = announcement.workerId();
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

  public String address() {
    return announcement.address();
  }

  public WorkerAnnouncement announcement() {
    return announcement;
  }

  public int inFlight() {
    return inFlight.get();
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
