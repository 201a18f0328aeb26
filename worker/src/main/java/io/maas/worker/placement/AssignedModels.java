package io.maas.worker.placement;

import io.maas.model.Assignment;
import io.maas.model.WantedModel;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.lifecycle.ModelLifecycle;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelSource;
import io.maas.worker.repository.UploadedModelFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A placed worker slot's models ({@code worker.model_control_mode: placed}): exactly the versions the cluster's
 * placement assigns to it ({@link Assignment}), each loaded as the cluster's wanted state says (its uploaded files
 * and configuration), and nothing else.
 *
 * <p>Each refresh reads the slot's assignment afresh, so a missed or reordered notice costs nothing but time.
 * Refreshes apply one after another, the newest assignment only. Within one, what is to go is unloaded first
 * (finishing what it runs), and only then is what is new loaded: the slot never holds more than the larger of
 * its old and new assignments, both of which the placement kept within its budget.
 *
 * <p>Confined to the slot's event loop.
 */
public final class AssignedModels {
  private static final Logger LOG = LoggerFactory.getLogger(AssignedModels.class);

  private final Vertx vertx;
  private final String workerId;
  private final ModelLifecycle lifecycle;
  private final DeviceSlot device;
  private final ModelSource source;
  private final UploadedModelFiles uploads;
  private final Function<String, Assignment> assignments;
  private final Function<String, WantedModel> wanted;
  private final Predicate<ModelDefinition> accepts;
  private boolean applying;
  /** The assignment the last refresh read (written off the event loop, read by {@link #check}). */
  private volatile Assignment applied;
  private boolean again;

  /**
   * @param assignments a slot's assignment by worker id, read from the cluster (blocking); null: none yet
   * @param wanted a model's wanted state, read from the cluster (blocking); null: none set through the API
   * @param accepts whether a model may run on this slot (its instance group's kind)
   * @param uploads null outside a cluster
   */
  public AssignedModels(Vertx vertx, String workerId, ModelLifecycle lifecycle, DeviceSlot device, ModelSource source,
      UploadedModelFiles uploads, Function<String, Assignment> assignments, Function<String, WantedModel> wanted,
      Predicate<ModelDefinition> accepts) {
    this.vertx = vertx;
    this.workerId = workerId;
    this.lifecycle = lifecycle;
    this.device = device;
    this.source = source;
    this.uploads = uploads;
    this.assignments = assignments;
    this.wanted = wanted;
    this.accepts = accepts;
  }

  /** Brings the slot to its assignment as it is now; a refresh asked while one runs runs once after it. */
  public void refresh() {
    if (applying) {
      again = true;
      return;
    }
    applying = true;
    vertx.executeBlocking(() -> read(assignments.apply(workerId)), false)
        .compose(this::apply)
        .onFailure(e -> LOG.warn("worker {}: its assigned models could not be applied: {}", workerId, e.getMessage()))
        .onComplete(done -> {
          applying = false;
          if (again) {
            again = false;
            refresh();
          }
        });
  }

  /**
   * A safety net under the cluster's notices (one sent before this slot listened, or lost): reads the slot's
   * assignment alone, and refreshes only when it is not the one applied last. The models' own changes (files,
   * configuration) come as notices and refresh in full.
   */
  public void check() {
    if (applying) {
      return;
    }
    vertx.executeBlocking(() -> Objects.equals(assignments.apply(workerId), applied), false)
        .onSuccess(same -> {
          if (!same) {
            refresh();
          }
        })
        .onFailure(e -> LOG.debug("worker {}: its assignment could not be read: {}", workerId, e.getMessage()));
  }

  /** What the slot is to hold: the assigned models as defined now, with their assigned versions only. Blocking. */
  private Target read(Assignment a) {
    applied = a;
    Map<String, ModelDefinition> definitions = new TreeMap<>();
    if (a == null) {
      return new Target(definitions, Set.of());
    }
    for (Map.Entry<String, List<String>> e : a.versions().entrySet()) {
      String name = e.getKey();
      try {
        WantedModel w = wanted.apply(name);
        if (w != null && !w.loaded()) {
          continue; // unloaded through the API: out of placement, whatever an older assignment says
        }
        if (w != null && !w.files().isEmpty() && uploads != null) {
          uploads.install(source.directoryOf(name), w.files());
        }
        Optional<ModelDefinition> found = source.find(name, w == null ? null : w.config());
        if (found.isEmpty() || !accepts.test(found.get())) {
          continue;
        }
        ModelDefinition d = found.get();
        if (!d.error().isEmpty()) {
          definitions.put(name, d);
          continue;
        }
        Map<Long, Path> versions = new TreeMap<>();
        e.getValue().forEach(v -> {
          Path file = d.versions().get(Long.parseLong(v));
          if (file != null) {
            versions.put(Long.parseLong(v), file);
          }
        });
        if (!versions.isEmpty()) {
          definitions.put(name, new ModelDefinition(name, d.config(), versions, ""));
        }
      } catch (Exception ex) {
        LOG.warn("worker {}: assigned model '{}' cannot be read: {}", workerId, name, ex.getMessage());
      }
    }
    return new Target(definitions, Set.copyOf(a.coldLoads()));
  }

  private Future<Void> apply(Target target) {
    // first what goes: whole models, or the versions of a model that keeps others
    List<Future<?>> drops = new ArrayList<>();
    for (String model : lifecycle.heldModels()) {
      Set<String> held = lifecycle.heldVersions(model);
      ModelDefinition d = target.definitions().get(model);
      Set<String> kept = new HashSet<>();
      if (d != null && d.error().isEmpty()) {
        d.versionNumbers().forEach(v -> kept.add(Long.toString(v)));
      }
      Set<String> staying = new HashSet<>(held);
      staying.retainAll(kept);
      if (staying.size() == held.size()) {
        continue;
      }
      drops.add(staying.isEmpty() ? lifecycle.change(device, model, Optional.empty())
          : lifecycle.change(device, model, Optional.of(restricted(d, staying))));
    }
    return Future.join(drops).otherwiseEmpty().compose(dropped -> {
      List<Future<?>> loads = new ArrayList<>();
      target.definitions().forEach((model, d) ->
          loads.add(lifecycle.change(device, model, Optional.of(d), target.cold().contains(model))));
      return Future.join(loads).<Void>mapEmpty().otherwiseEmpty();
    });
  }

  private static ModelDefinition restricted(ModelDefinition d, Set<String> versions) {
    Map<Long, Path> kept = new TreeMap<>();
    d.versions().forEach((v, file) -> {
      if (versions.contains(Long.toString(v))) {
        kept.put(v, file);
      }
    });
    return new ModelDefinition(d.name(), d.config(), kept, d.error());
  }

  /** The definitions to hold, by model, and the models among them loaded for waiting requests. */
  private record Target(Map<String, ModelDefinition> definitions, Set<String> cold) {}
}
