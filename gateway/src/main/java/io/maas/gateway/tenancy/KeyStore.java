package io.maas.gateway.tenancy;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.maas.cluster.CounterAdd;
import io.maas.cluster.TokenBucketTake;
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
 * {@code maas.usage}, {@code maas.buckets}): a change on any gateway is what every gateway reads next.
 *
 * <p>Durability: every gateway keeps a full copy in its own {@link KeyDatabase}. Key changes (from any gateway)
 * are written through as the map reports them; usage is written every {@link #USAGE_FLUSH_MILLIS} ms and on
 * stop. On start a gateway loads its copy into the maps: a key the cluster lacks or holds in an older version
 * is put, usage the cluster lacks is put. Buckets are not persisted (a restart refills them).
 */
public final class KeyStore {
  private static final Logger LOG = LoggerFactory.getLogger(KeyStore.class);
  /** How often usage counters reach the durable copy (and so the most a restart of every node can lose). */
  public static final long USAGE_FLUSH_MILLIS = 1000;

  private final Vertx vertx;
  private final Context context;
  private final IMap<String, String> keys;
  private final IMap<String, HashMap<String, Long>> usage;
  private final IMap<String, long[]> buckets;
  private final Path dataDir;
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
      database.usage().forEach(usage::putIfAbsent);
      listener = keys.addEntryListener(new WriteThrough(), true);
      // what the cluster held before this gateway listened is in its copy too
      keys.forEach((id, json) -> persistKey(id, json));
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

  /** Writes each key change, from any gateway, to this gateway's copy (on Hazelcast's event thread). */
  private final class WriteThrough implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> e) {
      persistKey(e.getKey(), e.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> e) {
      persistKey(e.getKey(), e.getValue());
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

  public Future<Optional<ApiKey>> get(String id) {
    return fromStage(keys.getAsync(id)).map(json -> Optional.ofNullable(json).map(j -> ApiKey.fromJson(new JsonObject(j))));
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

  public Future<Void> addUsage(String id, HashMap<String, Long> deltas) {
    return fromStage(usage.submitToKey(id, new CounterAdd(deltas)))
        .onFailure(e -> LOG.warn("usage of API key {} not counted: {}", id, e.toString())).mapEmpty();
  }

  /** Takes a token from the key's cluster-wide bucket: {@link TokenBucketTake}'s result. */
  public Future<long[]> take(ApiKey key) {
    return fromStage(buckets.submitToKey(key.id(),
        new TokenBucketTake(key.ratePerSecond(), key.burst(), key.dailyQuota())));
  }

  private <T> Future<T> fromStage(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
  }
}
