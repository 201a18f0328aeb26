package io.maas.gateway.routing;

import io.maas.bus.Addresses;
import io.maas.cluster.ClusterNode;
import io.maas.config.GatewayConfig;
import io.maas.error.MaasException;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's live routing table, fed by worker announcements and cluster membership.
 *
 * <p>A worker enters routing once its address is confirmed reachable ({@link ReachabilityProbe}). It
 * leaves at once when it announces that it is draining, publishes its departure, or its cluster member
 * leaves (a crash included: Hazelcast notices within its heartbeat timeout); and, as a second net, when
 * its announcement is not refreshed within its TTL. A worker that left for good (draining, departed, member
 * gone) is not re-admitted by an announcement still in flight for a few seconds.
 *
 * <p>The model index ({@link #models}, {@link #model}, {@link #candidates}) is an immutable snapshot, replaced
 * whenever what it shows changes: a worker becomes reachable, announces other model statuses or a model never heard
 * of, or leaves routing. The request path reads it and builds nothing. Changes come on the registry's context
 * (announcements, departures, the sweep, the probe's answers; member events hop onto it); readers on any thread see
 * one whole snapshot.
 */
public final class WorkerRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);

  /** How long a worker that left is not re-admitted by a stale announcement. */
  private static final long GONE_NANOS = 5_000_000_000L;

  private final Vertx vertx;
  private final GatewayConfig config;
  private final ClusterNode cluster;
  private final ReachabilityProbe probe;
  private final Map<String, WorkerEndpoint> workers = new ConcurrentHashMap<>();
  /** Worker id -> until when (nanoTime) announcements from it are ignored. */
  private final Map<String, Long> gone = new ConcurrentHashMap<>();
  /**
   * Every model name ever announced, so that a model whose workers all left is 503, not 404; with when this gateway
   * first heard of it (epoch seconds: OpenAI's {@code created} of the model).
   */
  private final Map<String, Long> knownModels = new ConcurrentHashMap<>();
  /** What the request path asks of the routable workers: replaced on change, never modified. */
  private volatile Index index = Index.EMPTY;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final ModelPolicies policies;
  private final VersionChoice versions;
  private long sweepTimer = -1;

  /**
   * @param cluster this process's cluster membership; null for a registry that only follows
   *     announcements (tests)
   */
  public WorkerRegistry(Vertx vertx, GatewayConfig config, ClusterNode cluster) {
    this(vertx, config, cluster, new SplittableRandom());
  }

  /** @param random draws the weighted pick among a model's versions ({@link VersionChoice}) */
  public WorkerRegistry(Vertx vertx, GatewayConfig config, ClusterNode cluster, RandomGenerator random) {
    this.vertx = vertx;
    this.config = config;
    this.cluster = cluster;
    this.probe = new ReachabilityProbe(vertx);
    this.policies = new ModelPolicies(this::model);
    this.versions = new VersionChoice(this::model, policies, random);
  }

  /** Each model's effective replicas, traffic weights and version labels. */
  public ModelPolicies policies() {
    return policies;
  }

  /** Which version a request for a model is served by (labels, traffic weights). */
  public VersionChoice versions() {
    return versions;
  }

  /** Starts listening, then asks every worker to announce itself at once. Call it on the owner's context. */
  public Future<Void> start() {
    Context context = vertx.getOrCreateContext();
    if (cluster != null) {
      // called on a Hazelcast thread: hop onto this registry's context
      cluster.onMemberLeft(nodeId -> context.runOnContext(v -> memberLeft(nodeId)));
    }
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
    if (learnModels(a)) {
      reindex();
    }
    if (a.draining()) {
      remove(a.workerId(), "draining");
      return;
    }
    Long goneUntil = gone.get(a.workerId());
    if (goneUntil != null && now - goneUntil < 0) {
      return;
    }
    WorkerEndpoint existing = workers.get(a.workerId());
    if (existing != null) {
      boolean modelsChanged = !existing.announcement().models().equals(a.models());
      existing.refresh(a, now);
      if (modelsChanged && existing.reachable()) {
        reindex();
      }
      return;
    }
    WorkerEndpoint joined = new WorkerEndpoint(a, new WorkerGuard(a.workerId(), config), now);
    workers.put(a.workerId(), joined);
    LOG.info("worker {} announced ({}, {} model version(s)); confirming its address is reachable",
        a.workerId(), a.device(), a.models().size());
    probe.confirm(joined, () -> workers.get(joined.workerId()) == joined).onSuccess(reached -> {
      if (reached) {
        joined.markReachable();
        reindex();
        LOG.info("worker {} reachable: routing to it", joined.workerId());
      }
    });
  }

  /** Remembers the model names never heard of before; whether there were any. */
  private boolean learnModels(WorkerAnnouncement a) {
    boolean learnt = false;
    for (ModelStatus m : a.models()) {
      if (!knownModels.containsKey(m.name())) {
        knownModels.putIfAbsent(m.name(), System.currentTimeMillis() / 1000);
        learnt = true;
      }
    }
    return learnt;
  }

  /**
   * The model index.
   *
   * @param models every known model by name, in name order, as the routable workers hold it
   * @param candidates by model, then version: the routable workers holding that version READY
   */
  private record Index(Map<String, ModelView> models, Map<String, Map<String, List<WorkerEndpoint>>> candidates) {
    static final Index EMPTY = new Index(Map.of(), Map.of());
  }

  /** Builds the model index anew from the known models and the routable workers, and publishes it. */
  private void reindex() {
    Map<String, List<ModelStatus>> byName = new TreeMap<>();
    knownModels.keySet().forEach(name -> byName.put(name, new ArrayList<>()));
    Map<String, Map<String, List<WorkerEndpoint>>> ready = new HashMap<>();
    routable().forEach(w -> w.announcement().models().forEach(s -> {
      byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
      if (s.isReady()) {
        List<WorkerEndpoint> holders = ready.computeIfAbsent(s.name(), k -> new HashMap<>())
            .computeIfAbsent(s.version(), k -> new ArrayList<>());
        if (!holders.contains(w)) {
          holders.add(w);
        }
      }
    }));
    Map<String, ModelView> views = new LinkedHashMap<>();
    byName.forEach((name, statuses) -> views.put(name, new ModelView(name, List.copyOf(statuses))));
    Map<String, Map<String, List<WorkerEndpoint>>> candidates = new HashMap<>();
    ready.forEach((model, versions) -> {
      Map<String, List<WorkerEndpoint>> byVersion = new HashMap<>();
      versions.forEach((version, holders) -> byVersion.put(version, List.copyOf(holders)));
      candidates.put(model, Map.copyOf(byVersion));
    });
    index = new Index(Collections.unmodifiableMap(views), Map.copyOf(candidates));
  }

  /** Drops every worker of a cluster member that left (or died). */
  void memberLeft(String nodeId) {
    LOG.info("cluster member {} left", nodeId);
    workers.values().stream().filter(w -> nodeId.equals(w.nodeId())).map(WorkerEndpoint::workerId).toList()
        .forEach(id -> lose(id, "its cluster member " + nodeId + " left", true));
  }

  private void sweep() {
    long now = System.nanoTime();
    workers.values().stream().filter(w -> w.expired(now)).map(WorkerEndpoint::workerId).toList()
        .forEach(id -> lose(id, "stopped announcing", false));
    gone.values().removeIf(until -> now - until > 0);
  }

  private void remove(String workerId, String why) {
    remove(workerId, why, true);
  }

  /**
   * @param forGood whether the worker said it leaves (or its member left): then announcements still in
   *     flight from it are ignored for a while; one that merely announced late may come back at once
   */
  private void remove(String workerId, String why, boolean forGood) {
    WorkerEndpoint removed = workers.remove(workerId);
    if (removed != null) {
      if (forGood) {
        gone.put(workerId, System.nanoTime() + GONE_NANOS);
      }
      LOG.info("worker {} left routing: {}", workerId, why);
      if (removed.reachable()) {
        reindex();
      }
    }
  }

  /** Removes a worker that cannot answer any more, failing what it held over to the dispatcher at once. */
  private void lose(String workerId, String why, boolean forGood) {
    WorkerEndpoint lost = workers.get(workerId);
    remove(workerId, why, forGood);
    if (lost != null) {
      lost.lose(MaasException.unavailable("worker %s was lost while it held the request (%s)", workerId, why));
    }
  }

  /** The workers requests may be routed to: announced, not draining, address confirmed reachable. */
  private Stream<WorkerEndpoint> routable() {
    return workers.values().stream().filter(WorkerEndpoint::reachable);
  }

  /** Every worker in the table, reachable or not yet. */
  public Collection<WorkerEndpoint> workers() {
    return workers.values();
  }

  /** Ready when at least one worker is known and no model is still loading. */
  public boolean isReady() {
    return routable().findAny().isPresent() && routable()
        .flatMap(w -> w.announcement().models().stream())
        .noneMatch(s -> s.state() == ModelReadyState.LOADING);
  }

  /**
   * Every model the cluster holds or has held, in name order (one whose workers all left has no statuses): the
   * current snapshot of the index, the same instance until something in it changes.
   */
  public Map<String, ModelView> models() {
    return index.models();
  }

  /** Whether any worker ever announced this model (cheap: for metric tags on the request path). */
  public boolean knows(String model) {
    return knownModels.containsKey(model);
  }

  /** When this gateway first heard of the model, in epoch seconds; 0 for a model it never heard of. */
  public long knownSince(String model) {
    return knownModels.getOrDefault(model, 0L);
  }

  /** One model as the routable workers hold it, from the index (on the request path: a lookup, nothing built). */
  public Optional<ModelView> model(String name) {
    return Optional.ofNullable(index.models().get(name));
  }

  /**
   * The version a request for (model, version) is served by: a number names itself, a label the version it names;
   * none is the model's policy's choice ({@link VersionChoice}: by traffic weight, else the latest READY one).
   *
   * @throws MaasException NOT_FOUND for an unknown model, version or label, UNAVAILABLE if none is ready
   */
  public ModelStatus resolve(String model, String version) {
    return find(model, version, true);
  }

  /**
   * Whether {@link #resolve} would find a version for (model, version), failing as it would, but without the policy's
   * weighted pick: for the edges that refuse a request before decoding its body, so that the pipeline's own
   * resolution stays the only draw.
   *
   * @throws MaasException NOT_FOUND for an unknown model, version or label, UNAVAILABLE if none is ready
   */
  public void checkKnown(String model, String version) {
    find(model, version, false);
  }

  /**
   * @param pick whether a request naming no version gets the policy's choice (a weighted draw) or, only to check that
   *     some version is ready, the highest READY one (the policy's choice is READY whenever any version is)
   */
  private ModelStatus find(String model, String version, boolean pick) {
    ModelView view = model(model).orElseThrow(() -> MaasException.notFound("unknown model '%s'", model));
    if (view.statuses().isEmpty()) {
      throw MaasException.unavailable("no worker holds model '%s' now", model);
    }
    String chosen = pick || !version.isEmpty() ? versions.choose(view, version, false) : view.highestReady();
    if (chosen.isEmpty()) {
      throw MaasException.unavailable("model '%s' is not ready: %s", model, view.notReadyReason(""));
    }
    if (!view.knows(chosen)) {
      throw MaasException.notFound("unknown version %s%s of model '%s'; versions: %s", chosen,
          chosen.equals(version) ? "" : " (label '" + version + "')", model, view.knownVersions());
    }
    return view.ready(chosen).orElseThrow(() -> MaasException.unavailable(
        "model '%s' version %s is not ready: %s", model, chosen, view.notReadyReason(chosen)));
  }

  /** Whether a placed worker (placement chooses what it holds) can load the model: it may be loaded on demand. */
  public boolean placed(String model) {
    for (WorkerEndpoint w : workers.values()) {
      var resources = w.announcement().resources();
      if (resources.placed()) {
        for (var v : resources.versions()) {
          if (v.model().equals(model)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The routable workers holding the model version READY, from the index (on the request path: two lookups). */
  public List<WorkerEndpoint> candidates(String model, String version) {
    Map<String, List<WorkerEndpoint>> versions = index.candidates().get(model);
    List<WorkerEndpoint> holders = versions == null ? null : versions.get(version);
    return holders == null ? List.of() : holders;
  }
}
