package io.maas.gateway.routing;

import io.maas.bus.Addresses;
import io.maas.error.MaasException;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's live routing table, fed by worker announcements. A worker that says goodbye, or whose
 * announcement is not refreshed in time, leaves the table.
 */
public final class WorkerRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);

  private final Vertx vertx;
  private final Map<String, WorkerEndpoint> workers = new ConcurrentHashMap<>();
  /** Every model name ever announced, so that a model whose workers all left is 503, not 404. */
  private final Set<String> knownModels = ConcurrentHashMap.newKeySet();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private long sweepTimer = -1;

  public WorkerRegistry(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts listening, then asks every worker to announce itself at once. */
  public Future<Void> start() {
    MessageConsumer<JsonObject> announce = vertx.eventBus().consumer(Addresses.ANNOUNCE,
        m -> onAnnouncement(WorkerAnnouncement.fromJson(m.body())));
    MessageConsumer<JsonObject> depart = vertx.eventBus().consumer(Addresses.DEPART,
        m -> remove(m.body().getString("worker_id"), "departed"));
    consumers.add(announce);
    consumers.add(depart);
    sweepTimer = vertx.setPeriodic(250, id -> sweep());
    return Future.join(announce.completion(), depart.completion())
        .onSuccess(v -> vertx.eventBus().publish(Addresses.DISCOVER, new JsonObject()))
        .mapEmpty();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(sweepTimer);
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  void onAnnouncement(WorkerAnnouncement a) {
    long now = System.nanoTime();
    a.models().forEach(m -> knownModels.add(m.name()));
    WorkerEndpoint existing = workers.get(a.workerId());
    if (existing == null) {
      workers.put(a.workerId(), new WorkerEndpoint(a, now));
      LOG.info("worker {} joined ({}, {} model version(s))", a.workerId(), a.device(), a.models().size());
    } else {
      existing.refresh(a, now);
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    workers.values().stream().filter(w -> w.expired(now)).map(WorkerEndpoint::workerId).toList()
        .forEach(id -> remove(id, "stopped announcing"));
  }

  private void remove(String workerId, String why) {
    if (workers.remove(workerId) != null) {
      LOG.info("worker {} left: {}", workerId, why);
    }
  }

  public Collection<WorkerEndpoint> workers() {
    return workers.values();
  }

  /** Ready when at least one worker is known and no model is still loading. */
  public boolean isReady() {
    return !workers.isEmpty() && workers.values().stream()
        .flatMap(w -> w.announcement().models().stream())
        .noneMatch(s -> s.state() == ModelReadyState.LOADING);
  }

  /** Every model the cluster holds or has held, by name (one whose workers all left has no statuses). */
  public Map<String, ModelView> models() {
    Map<String, List<ModelStatus>> byName = new TreeMap<>();
    knownModels.forEach(name -> byName.put(name, new ArrayList<>()));
    for (WorkerEndpoint w : workers.values()) {
      for (ModelStatus s : w.announcement().models()) {
        byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
      }
    }
    Map<String, ModelView> out = new LinkedHashMap<>();
    byName.forEach((name, statuses) -> out.put(name, new ModelView(name, statuses)));
    return out;
  }

  public Optional<ModelView> model(String name) {
    return Optional.ofNullable(models().get(name));
  }

  /**
   * The version a request for (model, version) is served by: the given one, or the latest READY one.
   *
   * @throws MaasException NOT_FOUND for an unknown model or version, UNAVAILABLE if none is ready
   */
  public ModelStatus resolve(String model, String version) {
    ModelView view = model(model).orElseThrow(() -> MaasException.notFound("unknown model '%s'", model));
    if (view.statuses().isEmpty()) {
      throw MaasException.unavailable("no worker holds model '%s' now", model);
    }
    if (version.isEmpty()) {
      List<String> ready = view.readyVersions();
      if (ready.isEmpty()) {
        throw MaasException.unavailable("model '%s' is not ready: %s", model, view.notReadyReason(""));
      }
      return view.ready(ready.get(ready.size() - 1)).orElseThrow();
    }
    if (!view.knows(version)) {
      throw MaasException.notFound("unknown version %s of model '%s'; versions: %s", version, model,
          view.statuses().stream().map(ModelStatus::version).filter(v -> !v.isEmpty()).distinct().sorted().toList());
    }
    return view.ready(version).orElseThrow(() -> MaasException.unavailable(
        "model '%s' version %s is not ready: %s", model, version, view.notReadyReason(version)));
  }

  /** The workers holding the model version READY. */
  public List<WorkerEndpoint> candidates(String model, String version) {
    return workers.values().stream().filter(w -> w.serves(model, version)).toList();
  }
}
