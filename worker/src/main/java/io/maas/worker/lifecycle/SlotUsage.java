package io.maas.worker.lifecycle;

import io.maas.model.ModelReadyState;
import io.maas.model.VersionUsage;
import io.maas.worker.memory.Footprint;
import io.maas.worker.memory.SlotFootprints;
import io.maas.worker.repository.ModelDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What one slot's model versions take of its memory and how they are used, as the worker announces them: each
 * version's footprint ({@link SlotFootprints}), when it last took a request and how many it holds, the memory the
 * slot holds now, and its cold loads. Confined to the slot's event loop: not thread-safe.
 *
 * <p>The memory held counts every version LOADING, READY or UNLOADING, and also, during a reload, the version
 * loading beside the one serving and, after it, the replaced one until it is closed: both are in memory then.
 */
final class SlotUsage {
  private static final Set<ModelReadyState> HOLDING =
      Set.of(ModelReadyState.LOADING, ModelReadyState.READY, ModelReadyState.UNLOADING);

  private final SlotFootprints footprints;
  /** Versions loading again beside the one serving: what they are expected to take. */
  private final Map<VersionKey, Footprint> loadingBeside = new HashMap<>();
  /** Loaded versions a reload replaced, until they are closed. */
  private final Set<ModelVersion> retiring = new HashSet<>();
  /** Version -> when it last took a request (ms since the epoch). */
  private final Map<VersionKey, Long> lastUsed = new HashMap<>();
  /** Requests each version took on this slot since it started (kept across unloads, as its last use). */
  private final Map<VersionKey, Long> requests = new HashMap<>();
  private long coldLoads;

  private record VersionKey(String model, String version) {}

  SlotUsage(SlotFootprints footprints) {
    this.footprints = footprints;
  }

  /** Learns a model's definition, for its versions' estimates. */
  void define(ModelDefinition definition) {
    if (definition.error().isEmpty()) {
      footprints.define(definition);
    }
  }

  /** The footprint of a version that just loaded; see {@link SlotFootprints#loaded}. */
  Footprint loaded(String model, String version, OptionalLong measuredBytes) {
    return footprints.loaded(model, version, measuredBytes);
  }

  /** A version starts loading again beside the one serving it. */
  void loadingBeside(String model, String version) {
    loadingBeside.put(new VersionKey(model, version), footprints.estimate(model, version));
  }

  /** The version loading beside the one serving loaded, or failed to. */
  void loadedBeside(String model, String version) {
    loadingBeside.remove(new VersionKey(model, version));
  }

  /** A loaded version a reload replaced: it holds its memory until {@link #retired}. */
  void retiring(ModelVersion replaced) {
    retiring.add(replaced);
  }

  void retired(ModelVersion replaced) {
    retiring.remove(replaced);
  }

  /** A version took a request now. */
  void used(String model, String version, long nowMillis) {
    VersionKey key = new VersionKey(model, version);
    lastUsed.put(key, nowMillis);
    requests.merge(key, 1L, Long::sum);
  }

  /** A version loaded cold: because a request asked for a model loaded nowhere. */
  void coldLoaded() {
    coldLoads++;
  }

  /** Cold loads on this slot since it started. */
  long coldLoads() {
    return coldLoads;
  }

  /** One entry per version the slot holds or lists (its unreadable-model entries, version "", aside). */
  List<VersionUsage> versions(Map<String, Map<String, ModelVersion>> models) {
    List<VersionUsage> out = new ArrayList<>();
    models.forEach((name, versions) -> versions.forEach((version, v) -> {
      if (!version.isEmpty()) {
        Footprint f = footprint(name, version, v);
        out.add(new VersionUsage(name, version, f.bytes(), f.measured(),
            lastUsed.getOrDefault(new VersionKey(name, version), 0L), running(name, version, v),
            requests.getOrDefault(new VersionKey(name, version), 0L)));
      }
    }));
    return out;
  }

  /** The footprints of the versions in memory now. */
  long memoryUsedBytes(Map<String, Map<String, ModelVersion>> models) {
    long used = 0;
    for (Map.Entry<String, Map<String, ModelVersion>> m : models.entrySet()) {
      for (Map.Entry<String, ModelVersion> v : m.getValue().entrySet()) {
        if (!v.getKey().isEmpty() && HOLDING.contains(v.getValue().status().state())) {
          used += footprint(m.getKey(), v.getKey(), v.getValue()).bytes();
        }
      }
    }
    for (Footprint f : loadingBeside.values()) {
      used += f.bytes();
    }
    for (ModelVersion v : retiring) {
      used += v.footprint().bytes();
    }
    return used;
  }

  private Footprint footprint(String model, String version, ModelVersion v) {
    return v.footprint() != null ? v.footprint() : footprints.estimate(model, version);
  }

  /** Requests the version holds: those of the one serving, and of one a reload replaced that is still finishing. */
  private int running(String model, String version, ModelVersion v) {
    int running = v.running();
    for (ModelVersion old : retiring) {
      if (old.status().name().equals(model) && old.status().version().equals(version)) {
        running += old.running();
      }
    }
    return running;
  }
}
