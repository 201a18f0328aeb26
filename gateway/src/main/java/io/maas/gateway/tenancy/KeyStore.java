package io.maas.gateway.tenancy;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.maas.cluster.CounterMerge;
import io.maas.cluster.TokenLease;
import io.maas.cluster.TokenReturn;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys, usage counters and rate-limit buckets, cluster-wide on Hazelcast maps ({@code maas.keys},
 * {@code maas.usage}, {@code maas.buckets}). Requests read keys from this gateway's {@link KeyView}, which the
 * key map's events keep current (a change on any gateway reaches it within milliseconds) and which is loaded
 * whole before the gateway serves.
 *
 * <p>Durability: every gateway keeps a full copy in its own {@link KeyDatabase}. Key changes (from any gateway)
 * are written through as the map reports them; usage is written every {@link #USAGE_FLUSH_MILLIS} ms and on
 * stop. On start a gateway loads its copy into the maps: a key the cluster lacks or holds in an older version
 * is put, and each usage counter is raised to at least its copy's value (counters only grow, so a restart in
 * any order keeps the newest count). Buckets are not persisted (a restart refills them).
 */
public final class KeyStore implements Buckets {
  private static final Logger LOG = LoggerFactory.getLogger(KeyStore.class);
  /**
   * How often usage counters reach the durable copy: with {@link UsageMeter#PUBLISH_MILLIS} before it, a crash
   * of every node loses at most the last second of counts.
   */
  public static final long USAGE_FLUSH_MILLIS = 1000 - UsageMeter.PUBLISH_MILLIS;

  private final Vertx vertx;
  private final Context context;
  private final IMap<String, String> keys;
  private final IMap<String, HashMap<String, Long>> usage;
  private final IMap<String, long[]> buckets;
  private final Path dataDir;
  private final KeyView view = new KeyView();
  private KeyDatabase database;
  private UUID listener;
  private long flushTimer = -1;

  public KeyStore(Vertx vertx, HazelcastInstance hazelcast, Path dataDir) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.keys = hazelcast.getMap("maas.keys");
    this.usage = hazelcast.getMap("maas.usage");
    this.buckets = hazelcast.getMap("maas.buckets");
    this.dataDir = dataDir;
  }

  /** Opens the durable copy, merges it into the cluster maps, and starts writing changes through. */
  public Future<Void> start() {
    return vertx.executeBlocking(() -> {
      try {
        database = new KeyDatabase(dataDir);
      } catch (Exception e) {
        throw new IllegalStateException("cannot open the key store in " + dataDir.toAbsolutePath()
            + " (each gateway process needs its own gateway.data_dir): " + e.getMessage(), e);
      }
      database.keys().forEach(this::mergeKey);
      // counters only grow: the larger of each is the newer, whichever gateway's copy comes back first
      database.usage().forEach((id, counters) -> usage.executeOnKey(id, CounterMerge.atLeast(counters)));
      listener = keys.addEntryListener(new KeyEvents(), true);
      // what the cluster held before this gateway listened: into the view, and into its copy too
      keys.forEach((id, json) -> {
        view.loaded(ApiKey.fromJson(new JsonObject(json)));
        persistKey(id, json);
      });
      LOG.info("{} API keys loaded", view.size());
      return null;
    }).onSuccess(v -> flushTimer = vertx.setPeriodic(USAGE_FLUSH_MILLIS, t -> flushUsage())).mapEmpty();
  }

  private void mergeKey(String id, String json) {
    String current = keys.putIfAbsent(id, json);
    if (current != null && updatedAt(current) < updatedAt(json)) {
      keys.replace(id, current, json);
    }
  }

  private static long updatedAt(String json) {
    return new JsonObject(json).getLong("updated_at", 0L);
  }

  private void persistKey(String id, String json) {
    try {
      database.putKey(id, json);
    } catch (Exception e) {
      LOG.error("cannot persist API key {}: {}", id, e.getMessage());
    }
  }

  /** Takes each key change, from any gateway, into the view and this gateway's copy (on Hazelcast's event thread). */
  private final class KeyEvents implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryRemovedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> e) {
      changed(e.getKey(), e.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> e) {
      changed(e.getKey(), e.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> e) {
      view.removed(e.getKey());
    }

    private void changed(String id, String json) {
      view.changed(ApiKey.fromJson(new JsonObject(json)));
      persistKey(id, json);
    }
  }

  private Future<Void> flushUsage() {
    return vertx.executeBlocking(() -> {
      database.putUsage(new HashMap<>(usage));
      return null;
    }, false).onFailure(e -> LOG.warn("cannot persist usage: {}", e.getMessage())).mapEmpty();
  }

  /** Flushes usage one last time and closes the durable copy. */
  public Future<Void> stop() {
    if (database == null) {
      return Future.succeededFuture();
    }
    vertx.cancelTimer(flushTimer);
    return flushUsage().eventually(() -> vertx.executeBlocking(() -> {
      keys.removeEntryListener(listener); // a remote call: off the event loop
      database.close();
      return null;
    }));
  }

  /** This gateway's view of the keys: what requests are authenticated against. */
  KeyView view() {
    return view;
  }

  /** A key as the cluster holds it now (a remote read); it refreshes the view too. */
  public Future<Optional<ApiKey>> get(String id) {
    return fromStage(keys.getAsync(id)).map(json -> {
      Optional<ApiKey> key = Optional.ofNullable(json).map(j -> ApiKey.fromJson(new JsonObject(j)));
      key.ifPresent(view::loaded);
      return key;
    });
  }

  public Future<Void> put(ApiKey key) {
    return fromStage(keys.setAsync(key.id(), key.toJson().encode())).mapEmpty();
  }

  public Future<List<ApiKey>> list() {
    return vertx.executeBlocking(() -> {
      List<ApiKey> out = new ArrayList<>();
      keys.values().forEach(j -> out.add(ApiKey.fromJson(new JsonObject(j))));
      out.sort((a, b) -> Long.compare(a.createdAt(), b.createdAt()));
      return out;
    });
  }

  /** Whether the cluster holds no key at all. */
  public Future<Boolean> isEmpty() {
    return vertx.executeBlocking(keys::isEmpty);
  }

  public Future<Map<String, Long>> usage(String id) {
    return fromStage(usage.getAsync(id)).map(u -> u == null ? Map.<String, Long>of() : u);
  }

  /** Adds to a key's cluster-wide usage counters. */
  Future<Void> addUsage(String id, Map<String, Long> deltas) {
    return fromStage(usage.submitToKey(id, CounterMerge.add(deltas))).mapEmpty();
  }

  @Override
  public Future<long[]> lease(ApiKey key, long want) {
    return fromStage(buckets.submitToKey(key.id(),
        new TokenLease(key.ratePerSecond(), key.burst(), key.dailyQuota(), want)));
  }

  @Override
  public void giveBack(ApiKey key, long tokens, long leasedAtMillis) {
    buckets.submitToKey(key.id(), new TokenReturn(key.ratePerSecond(), key.burst(), tokens, leasedAtMillis))
        .exceptionally(e -> {
          LOG.debug("{} unspent tokens of API key {} not given back: {}", tokens, key.id(), e.toString());
          return null;
        });
  }

  private <T> Future<T> fromStage(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
  }
}
