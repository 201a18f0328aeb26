package io.maas.gateway.placement;

import io.maas.model.VersionUsage;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * How many requests each model version takes on each worker per second, smoothed: read from the request counts
 * of two announcements of the worker (its own clock between them), averaged exponentially over about
 * {@link #WINDOW_MS}. Placement evicts the copies that take the fewest requests first: a least recently used
 * sample taken once a second cannot tell a version used 60 times a second from one used once a second ago, and
 * evicting by it made a pool of 12 copies under a Zipf mix of 40 models evict its most popular models as often
 * as the others (docs/placement.md). Kept by the deciding gateway; confined to its event loop.
 */
final class RequestRates {
  /** The smoothing's time constant. */
  static final long WINDOW_MS = 10_000;

  private record Sample(long requests, long atMillis, double perSecond) {}

  private final Map<String, Map<Unit, Sample>> byWorker = new HashMap<>();

  /** Takes a worker's announcement (once per announcement: an unchanged {@code atMillis} changes nothing). */
  void update(String workerId, long atMillis, Map<Unit, VersionUsage> listed) {
    Map<Unit, Sample> samples = byWorker.computeIfAbsent(workerId, k -> new HashMap<>());
    listed.forEach((u, use) -> {
      Sample before = samples.get(u);
      if (before == null) {
        samples.put(u, new Sample(use.requests(), atMillis, 0));
        return;
      }
      long elapsed = atMillis - before.atMillis();
      if (elapsed <= 0) {
        return;
      }
      double now = Math.max(0, use.requests() - before.requests()) * 1000.0 / elapsed;
      double weight = 1 - Math.exp(-(double) elapsed / WINDOW_MS);
      samples.put(u, new Sample(use.requests(), atMillis, before.perSecond() + weight * (now - before.perSecond())));
    });
  }

  /** The smoothed requests per second of each version on a worker. */
  Map<Unit, Double> of(String workerId) {
    Map<Unit, Double> out = new HashMap<>();
    byWorker.getOrDefault(workerId, Map.of()).forEach((u, s) -> out.put(u, s.perSecond()));
    return out;
  }

  /** Forgets workers no longer in the pool. */
  void retain(Set<String> workerIds) {
    byWorker.keySet().retainAll(workerIds);
  }
}
