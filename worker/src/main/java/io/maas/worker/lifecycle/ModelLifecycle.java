package io.maas.worker.lifecycle;

import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.worker.batching.Queueing;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.model.VersionUsage;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.device.ServedModel;
import io.maas.worker.memory.Footprint;
import io.maas.worker.memory.SlotFootprints;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelIntegrity;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions one worker slot holds, one {@link ModelVersion} each, and their states (Triton's
 * {@code model_lifecycle}): LOADING, then READY or UNAVAILABLE with the reason; UNLOADING while an unloaded
 * version finishes what it runs, then UNAVAILABLE ("unloaded"). The worker verticle only wires it to the
 * event bus.
 *
 * <p>Changes to one model apply one after another, each to the newest wanted state, so concurrent calls end
 * in the state of the last one. A version loaded again from changed files or configuration loads beside the
 * one serving, takes over once READY, and the old one is closed when it has answered everything it took:
 * requests never see the switch. A load that fails leaves what served before serving.
 *
 * <p>It also keeps what each version takes of the slot's memory and how it is used ({@link #usage()},
 * {@link #memoryUsedBytes()}), and counts cold loads: versions loaded by a change marked cold (a request asked
 * for a model loaded nowhere).
 *
 * <p>Confined to the slot's event loop: not thread-safe.
 */
public final class ModelLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(ModelLifecycle.class);

  private final String workerId;
  private final MeterRegistry meters;
  private final WorkerExecutor executor;
  private final Runnable changed;
  private final SlotUsage usage;
  /** Model name -> version -> its state and, once loaded, what serves it. */
  private final Map<String, Map<String, ModelVersion>> models = new LinkedHashMap<>();
  /** Model name -> the newest wanted definition (empty: unloaded), and whether its loads are cold. */
  private final Map<String, Wanted> wanted = new HashMap<>();
  /** Model name -> the change being applied, which the next one waits for. */
  private final Map<String, Future<Void>> changing = new HashMap<>();
  /** "model/version" -> what its last load was from and why it failed, where that was its SHA-256 check. */
  private final Map<String, Rejection> rejected = new HashMap<>();

  /** A model's wanted state: a definition (empty: unloaded), and whether loading it is a cold load. */
  private record Wanted(Optional<ModelDefinition> definition, boolean cold) {}

  /** A version's files and configuration that failed their SHA-256 check, and the reason. */
  private record Rejection(Fingerprint fingerprint, String reason) {}

  /**
   * @param meters where each loaded version's meters go
   * @param executor where sessions are closed (blocking)
   * @param footprints the slot's: what its versions take or are expected to take
   * @param changed called after every state change (the worker announces its models again)
   */
  public ModelLifecycle(String workerId, MeterRegistry meters, WorkerExecutor executor, SlotFootprints footprints,
      Runnable changed) {
    this.workerId = workerId;
    this.meters = meters;
    this.executor = executor;
    this.usage = new SlotUsage(footprints);
    this.changed = changed;
  }

  /**
   * Lists the definitions' versions as LOADING before anything loads; a definition that could not be read
   * is listed UNAVAILABLE with its reason, under the empty version.
   */
  public void declare(List<ModelDefinition> definitions) {
    for (ModelDefinition m : definitions) {
      usage.define(m);
      Map<String, ModelVersion> versions = models.computeIfAbsent(m.name(), k -> new LinkedHashMap<>());
      if (!m.error().isEmpty()) {
        versions.put("", ModelVersion.of(unavailable(m.name(), "", m.error()), null));
      }
      m.versionNumbers().forEach(v -> versions.put(Long.toString(v),
          ModelVersion.of(ModelStatus.loading(m.name(), Long.toString(v)), null)));
    }
  }

  /** Lists the definitions' versions as UNAVAILABLE "unloaded": in the repository, not loaded (until asked). */
  public void declareUnloaded(List<ModelDefinition> definitions) {
    for (ModelDefinition m : definitions) {
      usage.define(m);
      Map<String, ModelVersion> versions = models.computeIfAbsent(m.name(), k -> new LinkedHashMap<>());
      m.versionNumbers().forEach(v -> versions.put(Long.toString(v),
          ModelVersion.of(unloaded(m.name(), Long.toString(v), m.config().servedSections()), null)));
    }
  }

  /**
   * Makes the slot hold exactly these models: each is loaded (or reloaded where its files or configuration
   * changed), and every model held that is not among them is unloaded. Completes when every change is done,
   * failed ones included (their versions say why).
   */
  public Future<Void> apply(DeviceSlot device, List<ModelDefinition> definitions) {
    Set<String> names = new HashSet<>(models.keySet());
    List<Future<List<ModelStatus>>> changes = new ArrayList<>();
    for (ModelDefinition d : definitions) {
      names.remove(d.name());
      changes.add(change(device, d.name(), Optional.of(d)));
    }
    names.forEach(n -> changes.add(change(device, n, Optional.empty())));
    return Future.join(changes).<Void>mapEmpty().otherwiseEmpty();
  }

  /**
   * Loads a model as defined (a definition: its versions as the version policy chose them), or unloads it
   * (empty). Completes with the model's versions' states once the change is done; fails with the reason
   * when a version could not load.
   */
  public Future<List<ModelStatus>> change(DeviceSlot device, String name, Optional<ModelDefinition> definition) {
    return change(device, name, definition, false);
  }

  /**
   * {@link #change(DeviceSlot, String, Optional)}, saying whether it is a cold load: one a request asked for, of
   * a model loaded nowhere. Then every version that loads (was not serving already) counts one cold load, in its
   * statistics ({@code cold_load_count}), its meter and the slot's total.
   */
  public Future<List<ModelStatus>> change(DeviceSlot device, String name, Optional<ModelDefinition> definition,
      boolean cold) {
    definition.ifPresent(usage::define);
    wanted.put(name, new Wanted(definition, cold));
    Future<Void> next = changing.getOrDefault(name, Future.succeededFuture())
        .transform(previous -> reconcile(device, name));
    changing.put(name, next);
    return next.map(done -> statusesOf(name));
  }

  /** Brings a model to its newest wanted state. */
  private Future<Void> reconcile(DeviceSlot device, String name) {
    Optional<ModelDefinition> target = wanted.get(name).definition();
    boolean cold = wanted.get(name).cold();
    Map<String, ModelVersion> current = models.getOrDefault(name, Map.of());
    if (target.isPresent() && !target.get().error().isEmpty()) {
      // a model directory that cannot be read changes nothing that serves
      put(ModelVersion.of(unavailable(name, "", target.get().error()), null));
      return Future.failedFuture(MaasException.invalid("model '%s': %s", name, target.get().error()));
    }
    if (current.containsKey("")) {
      models.get(name).remove("");
    }
    Set<String> keep = new HashSet<>();
    target.ifPresent(d -> d.versionNumbers().forEach(v -> keep.add(Long.toString(v))));
    // the new versions load first: the ones they replace serve unversioned requests until then
    List<Future<Void>> loads = new ArrayList<>();
    target.ifPresent(d -> d.versionNumbers().forEach(v -> loads.add(load(device, d, v, cold))));
    return Future.join(loads).transform(loaded -> {
      List<Future<Void>> unloads = new ArrayList<>();
      new ArrayList<>(current.keySet()).stream().filter(v -> !keep.contains(v)).forEach(v -> unloads.add(unload(name, v)));
      return Future.join(unloads).transform(unloaded -> loaded.succeeded() ? Future.<Void>succeededFuture()
          : Future.<Void>failedFuture(loaded.cause()));
    });
  }

  private Future<Void> load(DeviceSlot device, ModelDefinition definition, long number, boolean cold) {
    String name = definition.name();
    String version = Long.toString(number);
    Fingerprint fingerprint = Fingerprint.of(definition, number);
    ModelVersion current = version(name, version);
    if (current != null && current.isServing() && current.fingerprint().equals(fingerprint)) {
      return Future.succeededFuture();
    }
    boolean replacing = current != null && current.isServing();
    Rejection rejection = rejected.get(name + "/" + version);
    if (rejection != null && rejection.fingerprint().equals(fingerprint)) {
      // the very files and configuration that failed their SHA-256 check: nothing but a change to them can make them
      // pass, so they are not read again (each poll would read them, and warn, again)
      if (!replacing && (current == null || !current.status().reason().equals(rejection.reason()))) {
        put(ModelVersion.of(unavailable(name, version, rejection.reason()), fingerprint));
      }
      return Future.failedFuture(notLoaded(name, version, rejection.reason()));
    }
    VersionObservers observers = current != null && current.observers() != null
        ? current.observers() : new VersionObservers(meters, name, version, workerId);
    if (!replacing && (current == null || current.status().state() != ModelReadyState.LOADING)) {
      put(ModelVersion.of(ModelStatus.loading(name, version), fingerprint));
    }
    if (replacing) { // both are in memory until the old one is closed
      usage.loadingBeside(name, version);
      changed.run();
    }
    LOG.info("model {} version {} {} on {}", name, version, replacing ? "loading again beside the one serving" : "LOADING",
        device.device());
    return device.load(definition, number, observers.observer())
        .andThen(done -> {
          if (replacing) {
            usage.loadedBeside(name, version);
          }
        })
        .onSuccess(model -> {
          rejected.remove(name + "/" + version);
          Footprint footprint = usage.loaded(name, version, model.footprintBytes());
          observers.serving(model, footprint.bytes());
          if (cold && !replacing) {
            observers.coldLoaded();
            usage.coldLoaded();
          }
          if (replacing) {
            usage.retiring(current); // in memory until closed
          }
          put(new ModelVersion(ready(model, definition), model, observers, fingerprint, footprint));
          LOG.info("model {} version {} READY on {} ({} instance(s), footprint {} MiB{}){}{}", name, version,
              device.device(), model.instanceCount(), String.format("%.1f", footprint.bytes() / (1024.0 * 1024)),
              footprint.measured() ? "" : " estimated", cold && !replacing ? ", a cold load" : "",
              replacing ? ", replacing the one loaded before" : "");
          if (replacing) {
            retire(current).onComplete(closed -> {
              usage.retired(current);
              changed.run();
            });
          }
        })
        .recover(e -> {
          String reason = e.getMessage();
          if (e instanceof ModelIntegrity.Rejected) {
            rejected.put(name + "/" + version, new Rejection(fingerprint, reason));
          }
          if (replacing) {
            LOG.warn("model {} version {} failed to load again ({}); the one loaded before keeps serving", name,
                version, reason);
            changed.run();
          } else {
            put(ModelVersion.of(unavailable(name, version, reason), fingerprint));
            LOG.warn("model {} version {} UNAVAILABLE: {}", name, version, reason);
          }
          if (current == null || current.observers() == null) {
            observers.close();
          }
          return Future.failedFuture(notLoaded(name, version, reason));
        })
        .mapEmpty();
  }

  /** What does not load is the model's files or configuration (Triton answers 400 too), not the server. */
  private MaasException notLoaded(String name, String version, String reason) {
    return MaasException.invalid("model '%s' version %s did not load on worker %s: %s", name, version, workerId, reason);
  }

  /** Stops routing to a version (UNLOADING), lets it finish what it runs, closes it: UNAVAILABLE "unloaded". */
  private Future<Void> unload(String name, String version) {
    ModelVersion v = version(name, version);
    if (v == null || v.served() == null) {
      if (v != null && v.status().state() != ModelReadyState.UNAVAILABLE) {
        put(ModelVersion.of(unavailable(name, version, ModelStatus.UNLOADED), v.fingerprint()));
      }
      return Future.succeededFuture();
    }
    v.status(v.status().withState(ModelReadyState.UNLOADING, ""));
    changed.run();
    LOG.info("model {} version {} UNLOADING: finishing the requests it took", name, version);
    return retire(v).onComplete(closed -> {
      v.observers().close();
      put(ModelVersion.of(unloaded(name, version, v.status().config()), v.fingerprint()));
      LOG.info("model {} version {} unloaded", name, version);
    });
  }

  /** Closes a model no longer routed to once it has answered everything it took. */
  private Future<Void> retire(ModelVersion old) {
    return old.idle().compose(idle -> executor.<Void>executeBlocking(() -> {
      old.served().close();
      return null;
    })).recover(e -> {
      LOG.warn("closing model {} version {}: {}", old.status().name(), old.status().version(), e.getMessage());
      return Future.succeededFuture();
    });
  }

  private void put(ModelVersion version) {
    models.computeIfAbsent(version.status().name(), k -> new LinkedHashMap<>()).put(version.status().version(), version);
    changed.run();
  }

  private ModelVersion version(String name, String version) {
    Map<String, ModelVersion> versions = models.get(name);
    return versions == null ? null : versions.get(version);
  }

  /** Runs a request that came with no ticket; see {@link #infer(InferenceRequest, Queueing)}. */
  public Future<InferenceResponse> infer(InferenceRequest request) {
    return infer(request, Queueing.untracked());
  }

  /**
   * Runs a request on the version it names, or the highest version serving ({@link #find}), queued as its ticket
   * says.
   */
  public Future<InferenceResponse> infer(InferenceRequest request, Queueing queueing) {
    ModelVersion v;
    try {
      v = find(request.model(), request.version());
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
    usage.used(request.model(), v.status().version(), System.currentTimeMillis());
    return v.infer(request, queueing);
  }

  /**
   * The version serving a request: the one it names, or the highest version serving.
   *
   * @throws MaasException NOT_FOUND for a model or version this slot does not hold, UNAVAILABLE for one
   *     it holds that is not serving
   */
  ModelVersion find(String model, String version) {
    Map<String, ModelVersion> versions = models.get(model);
    if (versions == null) {
      throw MaasException.notFound("model '%s' is not held by worker %s", model, workerId);
    }
    if (version.isEmpty()) {
      return versions.values().stream().filter(ModelVersion::isServing)
          .max(Comparator.comparingLong(v -> Long.parseLong(v.status().version())))
          .orElseThrow(() -> MaasException.unavailable("model '%s' is not ready on worker %s", model, workerId));
    }
    return Optional.ofNullable(versions.get(version)).filter(ModelVersion::isServing)
        .orElseThrow(() -> versions.values().stream().noneMatch(ModelVersion::isServing)
            ? MaasException.unavailable("model '%s' is not ready on worker %s", model, workerId)
            : MaasException.notFound("model '%s' version %s is not loaded on worker %s", model, version, workerId));
  }

  /**
   * Lists a model's versions the slot does not list yet as UNAVAILABLE "unloaded" (in the repository, loadable),
   * and those that failed to load as "unloaded" again, so that placement may try them again; a model directory that
   * cannot be read is listed with its reason. Nothing loaded changes.
   */
  public void declareAvailable(ModelDefinition m) {
    if (m.error().isEmpty()) {
      usage.define(m);
    }
    Map<String, ModelVersion> versions = models.computeIfAbsent(m.name(), k -> new LinkedHashMap<>());
    if (!m.error().isEmpty()) {
      versions.put("", ModelVersion.of(unavailable(m.name(), "", m.error()), null));
      changed.run();
      return;
    }
    versions.remove("");
    for (long number : m.versionNumbers()) {
      String v = Long.toString(number);
      ModelVersion current = versions.get(v);
      if (current == null || (current.status().state() == ModelReadyState.UNAVAILABLE && current.served() == null)) {
        versions.put(v, ModelVersion.of(unloaded(m.name(), v, m.config().servedSections()), null));
      }
    }
    changed.run();
  }

  /** The models with a version loading, loaded or unloading on the slot. */
  public List<String> heldModels() {
    return models.keySet().stream().filter(m -> !heldVersions(m).isEmpty()).toList();
  }

  /** A model's versions loading, loaded or unloading on the slot. */
  public Set<String> heldVersions(String model) {
    Set<String> held = new HashSet<>();
    models.getOrDefault(model, Map.of()).forEach((v, m) -> {
      if (!v.isEmpty() && m.status().state() != ModelReadyState.UNAVAILABLE) {
        held.add(v);
      }
    });
    return held;
  }

  /** Whether the slot holds (or held) a version of the model. */
  public boolean holds(String model) {
    return models.containsKey(model);
  }

  /** Every version's state, as announced to the gateways. */
  public List<ModelStatus> statuses() {
    List<ModelStatus> all = new ArrayList<>();
    models.values().forEach(versions -> versions.values().forEach(v -> all.add(v.status())));
    return all;
  }

  private List<ModelStatus> statusesOf(String name) {
    return models.getOrDefault(name, Map.of()).values().stream().map(ModelVersion::status).toList();
  }

  /**
   * What every version the slot holds or lists takes of its memory and how it is used: its footprint (measured
   * when it loaded here, else estimated), when it last took a request, and the requests it holds now.
   */
  public List<VersionUsage> usage() {
    return usage.versions(models);
  }

  /** The footprints of the versions in memory now: LOADING, READY or UNLOADING (and both sides of a reload). */
  public long memoryUsedBytes() {
    return usage.memoryUsedBytes(models);
  }

  /** Versions loaded cold on this slot since it started. */
  public long coldLoads() {
    return usage.coldLoads();
  }

  /** The KServe {@code model_stats} of the loaded versions: all, or those of a model (and version); "" for any. */
  public JsonArray statistics(String model, String version) {
    JsonArray out = new JsonArray();
    models.forEach((name, versions) -> versions.forEach((v, m) -> {
      if (m.served() != null && (model.isEmpty() || model.equals(name)) && (version.isEmpty() || version.equals(v))) {
        out.add(m.observers().statistics().toJson(name, v));
      }
    }));
    return out;
  }

  /** Closes every loaded version's sessions; blocking, so called off the event loop. */
  public void closeSessions() throws Exception {
    for (Map<String, ModelVersion> versions : models.values()) {
      for (ModelVersion v : versions.values()) {
        if (v.served() != null) {
          v.served().close();
        }
      }
    }
  }

  /** The versions are gone: so are their meters. */
  public void removeMeters() {
    models.values().forEach(versions -> versions.values().stream().filter(v -> v.served() != null)
        .forEach(v -> v.observers().close()));
  }

  /** A loaded version; its served configuration shows the SHA-256 its file was checked against, if one was. */
  private static ModelStatus ready(ServedModel model, ModelDefinition definition) {
    JsonObject config = definition.config().servedSections();
    if (!model.sha256().isEmpty()) {
      config.put("sha256", new JsonObject().put(model.version(), model.sha256()));
    }
    return new ModelStatus(model.name(), model.version(), ModelReadyState.READY, "", "onnxruntime_onnx",
        model.signature().maxBatchSize(), model.signature().inputs(), model.signature().outputs(),
        model.signature().text(), config);
  }

  /** A version in the repository, not loaded; with the configuration it would load with (placement reads it). */
  private static ModelStatus unloaded(String name, String version, JsonObject config) {
    return new ModelStatus(name, version, ModelReadyState.UNAVAILABLE, ModelStatus.UNLOADED, "", 0, List.of(),
        List.of(), null, config);
  }

  private static ModelStatus unavailable(String name, String version, String reason) {
    return ModelStatus.loading(name, version).withState(ModelReadyState.UNAVAILABLE, reason);
  }
}
