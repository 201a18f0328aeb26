package io.maas.gateway.repository;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.maas.gateway.routing.ModelPolicies;
import io.maas.model.ModelPolicy;
import io.maas.model.WantedModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's wanted models ({@link WantedModel#MAP}), kept durable by every gateway in
 * {@code <gateway.data_dir>/models.json}. On start a gateway merges its copy into the map, the newest change
 * of each model winning (so a restart in any order keeps the last change made anywhere), then writes the
 * map's content to its copy whenever an entry changes, from whichever gateway. It also tells {@link ModelPolicies}
 * each model's wanted policy (replicas, traffic, labels) as the map changes, so requests read it locally.
 */
public final class WantedModels {
  private static final Logger LOG = LoggerFactory.getLogger(WantedModels.class);
  static final String FILE = "models.json";

  private final Vertx vertx;
  private final IMap<String, String> map;
  private final Path file;
  private final ModelPolicies policies;
  /** The models whose newest change unloaded them: kept as the map changes, so placement never reads the map. */
  private final Set<String> unloaded = ConcurrentHashMap.newKeySet();
  /** A write of the copy is due: set by events, cleared by the writer, so a burst of changes writes once. */
  private final AtomicBoolean dirty = new AtomicBoolean();
  private UUID listener;

  /** @param policies told each model's wanted policy: the map's, and this gateway's own changes at once */
  public WantedModels(Vertx vertx, HazelcastInstance hazelcast, Path dataDir, ModelPolicies policies) {
    this.vertx = vertx;
    this.policies = policies;
    this.map = hazelcast.getMap(WantedModel.MAP);
    this.file = dataDir.resolve(FILE);
  }

  /** Merges the durable copy into the cluster map and starts keeping the copy current. */
  public Future<Void> start() {
    return vertx.executeBlocking(() -> {
      if (Files.isRegularFile(file)) {
        JsonArray saved = new JsonArray(Files.readString(file));
        for (Object o : saved) {
          merge(WantedModel.fromJson(((JsonObject) o).encode()));
        }
        LOG.info("wanted models: merged {} from {}", saved.size(), file);
      }
      listener = map.addEntryListener(new Changes(), true);
      map.values().forEach(WantedModels.this::follow);
      write();
      return null;
    });
  }

  /** Puts a change unless the cluster holds a newer one of the same model. */
  private void merge(WantedModel saved) {
    while (true) {
      String current = map.putIfAbsent(saved.name(), saved.toJson());
      if (current == null || !saved.newerThan(WantedModel.fromJson(current)) || map.replace(saved.name(), current, saved.toJson())) {
        return;
      }
    }
  }

  /**
   * Records a change made through the API: the newest of the model's. Its policy applies on this gateway once
   * recorded (the map's event, which tells every gateway, may come a little later).
   */
  public Future<Void> put(String model, boolean loaded, JsonObject config, Map<String, String> files,
      ModelPolicy policy) {
    WantedModel wanted = new WantedModel(model, loaded, config, files, System.currentTimeMillis(), policy);
    return Future.fromCompletionStage(map.setAsync(model, wanted.toJson()), vertx.getOrCreateContext())
        .onSuccess(v -> follow(wanted));
  }

  private void follow(String json) {
    try {
      follow(WantedModel.fromJson(json));
    } catch (RuntimeException e) {
      LOG.warn("a wanted model in the cluster map cannot be read, its policy is ignored: {}", e.getMessage());
    }
  }

  private void follow(WantedModel wanted) {
    policies.wanted(wanted.name(), wanted.loaded() ? wanted.policy() : ModelPolicy.NONE);
    if (wanted.loaded()) {
      unloaded.remove(wanted.name());
    } else {
      unloaded.add(wanted.name());
    }
  }

  /** Whether the model was unloaded through the API (its newest change), as this gateway follows the map. */
  public boolean unloaded(String model) {
    return unloaded.contains(model);
  }

  /** Drops a model's entry: a load of a model no worker holds is no change. */
  public Future<Void> forget(String model) {
    return Future.fromCompletionStage(map.removeAsync(model), vertx.getOrCreateContext())
        .onSuccess(v -> {
          policies.wanted(model, ModelPolicy.NONE);
          unloaded.remove(model);
        }).mapEmpty();
  }

  /** Writes the map's content to the copy; a gateway whose cluster never had a wanted model writes nothing. */
  private void write() throws IOException {
    dirty.set(false);
    if (map.isEmpty() && !Files.exists(file)) {
      return;
    }
    JsonArray all = new JsonArray();
    new TreeMap<>(map).values().forEach(v -> all.add(new JsonObject(v)));
    Files.createDirectories(file.getParent());
    Path temp = Files.createTempFile(file.getParent(), FILE, ".tmp");
    Files.writeString(temp, all.encodePrettily(), StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Stops following the map (its copy holds what the map held at the last change). */
  public Future<Void> stop() {
    return listener == null ? Future.succeededFuture() : vertx.executeBlocking(() -> map.removeEntryListener(listener))
        .mapEmpty();
  }

  /** Called on Hazelcast's event threads, in the map's order of changes to each model. */
  private final class Changes implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryRemovedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      follow(event.getValue());
      changed();
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      follow(event.getValue());
      changed();
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      policies.wanted(event.getKey(), ModelPolicy.NONE);
      unloaded.remove(event.getKey());
      changed();
    }

    private void changed() {
      if (dirty.compareAndSet(false, true)) {
        vertx.executeBlocking(() -> {
          write();
          return null;
        }, true).onFailure(e -> LOG.warn("could not write the wanted models to {}: {}", file, e.getMessage()));
      }
    }
  }
}
