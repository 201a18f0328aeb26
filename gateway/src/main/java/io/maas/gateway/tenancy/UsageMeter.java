package io.maas.gateway.tenancy;

import io.maas.cluster.CounterMerge;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage counted per key on this gateway, then added to the cluster-wide counters ({@code maas.usage}) every
 * {@link #PUBLISH_MILLIS} ms, one entry processor per key that was used: a call costs a few field increments,
 * not a cluster call. What a publication fails to add is kept and added with the next one. Until then this
 * gateway's readers see it ({@link #withUnpublished}); other gateways see it within {@link #PUBLISH_MILLIS}.
 *
 * <p>Confined to the gateway's event loop.
 */
final class UsageMeter {
  private static final Logger LOG = LoggerFactory.getLogger(UsageMeter.class);
  /** How often counts reach the cluster map. */
  static final long PUBLISH_MILLIS = 250;
  /** Counter names in {@code maas.usage} (sums, merged by {@code CounterMerge} like the others). */
  static final String CANCELLED = "cancelled";
  static final String TIMED_OUT = "timed_out";
  static final String QUEUE_WAIT_SUM = "queue_wait_sum_micros";
  static final String QUEUE_WAIT_COUNT = "queue_wait_count";

  private final BiFunction<String, Map<String, Long>, Future<Void>> add;
  private HashMap<String, Counts> counting = new HashMap<>();
  private final HashMap<String, Counts> publishing = new HashMap<>();

  /** @param add adds deltas to a key's cluster-wide counters */
  UsageMeter(BiFunction<String, Map<String, Long>, Future<Void>> add) {
    this.add = add;
  }

  /** A call refused before it reached a model, by reason ({@code rate_limited}, {@code permission_denied}...). */
  void refused(String keyId, String reason, long now) {
    counts(keyId, now).fail(reason);
  }

  /** A call answered, after waiting {@code queueWaitMicros} in its worker's queue (0 when the worker did not say). */
  void succeeded(String keyId, long inferences, long tokens, long queueWaitMicros, long now) {
    Counts c = counts(keyId, now);
    c.successes++;
    c.inferences += inferences;
    c.tokens += tokens;
    c.queueWaitMicros += Math.max(0, queueWaitMicros);
    c.queueWaits++;
  }

  /** A call whose client went away before its answer (CANCELLED). */
  void cancelled(String keyId, long now) {
    counts(keyId, now).cancelled++;
  }

  /** A call whose deadline passed before its answer (DEADLINE_EXCEEDED). */
  void timedOut(String keyId, long now) {
    counts(keyId, now).timedOut++;
  }

  void failed(String keyId, String reason, long now) {
    counts(keyId, now).fail(reason);
  }

  private Counts counts(String keyId, long now) {
    Counts c = counting.get(keyId);
    if (c == null) {
      c = new Counts();
      counting.put(keyId, c);
    }
    c.requests++;
    c.lastUsedAt = Math.max(c.lastUsedAt, now);
    return c;
  }

  /** Adds what was counted to the cluster map; a key whose last publication is still on its way waits. */
  Future<Void> publish() {
    if (counting.isEmpty()) {
      return Future.succeededFuture();
    }
    HashMap<String, Counts> batch = counting;
    counting = new HashMap<>();
    var sent = new ArrayList<Future<Void>>(batch.size());
    batch.forEach((id, counts) -> {
      if (publishing.containsKey(id)) {
        counting.merge(id, counts, Counts::plus);
        return;
      }
      publishing.put(id, counts);
      sent.add(add.apply(id, counts.asMap()).andThen(ar -> {
        publishing.remove(id);
        if (ar.failed()) {
          LOG.warn("usage of API key {} not published yet, kept for the next time: {}", id, ar.cause().toString());
          counting.merge(id, counts, Counts::plus);
        }
      }));
    });
    return Future.join(sent).mapEmpty();
  }

  /** A key's cluster-wide counters plus what this gateway counted and has not published yet. */
  Map<String, Long> withUnpublished(String keyId, Map<String, Long> cluster) {
    HashMap<String, Long> all = new HashMap<>(cluster);
    for (Counts c : new Counts[] {publishing.get(keyId), counting.get(keyId)}) {
      if (c != null) {
        CounterMerge.addInto(all, c.asMap());
      }
    }
    return all;
  }

  /** One key's counts since the last publication. */
  private static final class Counts {
    long requests;
    long successes;
    long inferences;
    long tokens;
    long cancelled;
    long timedOut;
    long queueWaitMicros;
    long queueWaits;
    long lastUsedAt;
    HashMap<String, Long> failures;

    void fail(String reason) {
      if (failures == null) {
        failures = new HashMap<>(4);
      }
      failures.merge(reason, 1L, Long::sum);
    }

    static Counts plus(Counts a, Counts b) {
      a.requests += b.requests;
      a.successes += b.successes;
      a.inferences += b.inferences;
      a.tokens += b.tokens;
      a.cancelled += b.cancelled;
      a.timedOut += b.timedOut;
      a.queueWaitMicros += b.queueWaitMicros;
      a.queueWaits += b.queueWaits;
      a.lastUsedAt = Math.max(a.lastUsedAt, b.lastUsedAt);
      if (b.failures != null) {
        b.failures.forEach((reason, n) -> {
          if (a.failures == null) {
            a.failures = new HashMap<>(4);
          }
          a.failures.merge(reason, n, Long::sum);
        });
      }
      return a;
    }

    /** The counters' names as the cluster map keeps them; zeros left out. */
    Map<String, Long> asMap() {
      HashMap<String, Long> m = new HashMap<>();
      put(m, "requests", requests);
      put(m, "successes", successes);
      put(m, "inferences", inferences);
      put(m, "tokens", tokens);
      put(m, CANCELLED, cancelled);
      put(m, TIMED_OUT, timedOut);
      put(m, QUEUE_WAIT_SUM, queueWaitMicros);
      put(m, QUEUE_WAIT_COUNT, queueWaits);
      put(m, "last_used_at", lastUsedAt);
      if (failures != null) {
        failures.forEach((reason, n) -> m.put("failures." + reason, n));
      }
      return m;
    }

    private static void put(Map<String, Long> m, String name, long v) {
      if (v != 0) {
        m.put(name, v);
      }
    }
  }
}
