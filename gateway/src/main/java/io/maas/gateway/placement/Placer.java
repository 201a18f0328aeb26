package io.maas.gateway.placement;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.maas.config.PlacementConfig;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.model.Assignment;
import io.maas.model.ModelStatus;
import io.maas.model.Replicas;
import io.maas.model.VersionUsage;
import io.maas.model.WorkerAnnouncement;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's placement decider, one per gateway, deciding on one gateway at a time: the oldest gateway of the
 * cluster (Hazelcast's member list is in join order on every member, and gateways are its data members; workers
 * are lite members). When it dies, the next oldest decides from the next tick, starting from the assignments in
 * the cluster map ({@link Assignment#MAP}) where the one before left them: a change half made is finished by the
 * next decision, since every decision is made afresh from the pool and the map.
 *
 * <p>Every gateway hears the demand (requests waiting for a model loaded nowhere, {@link #DEMAND}) and the
 * decider's refusals ({@link #REFUSED}), so a takeover loses neither. See {@link PlacementPlan} for the rules.
 * Runs on its gateway's event loop; the cluster maps are read off it.
 */
public final class Placer {
  private static final Logger LOG = LoggerFactory.getLogger(Placer.class);
  /** Published by a gateway whose request waits for a model version loaded nowhere: {model, version}. */
  public static final String DEMAND = "maas.placement.demand";
  /** Published by the decider: {model, version, reason} for each waited-for version it could not place. */
  public static final String REFUSED = "maas.placement.refused";
  /** The cluster map of what placement did on each worker: worker id to {added, removed, evicted} counts. */
  public static final String EVENTS_MAP = "maas.placement.events";
  /** How long a demand counts without being asked again (a waiting request asks every second). */
  private static final long DEMAND_MS = 5000;
  /** How long a refusal is told to waiting requests. */
  private static final long REFUSAL_MS = 2000;
  /** How long a version placed for waiting requests counts as a cold load on its worker. */
  private static final long COLD_MS = 30_000;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final WorkerRegistry registry;
  private final PlacementConfig config;
  private final PlacementPlan plan;
  private final MeterRegistry meters;
  private final IMap<String, String> assignments;
  /** Whether a model was unloaded through the repository API (this gateway's local view of the cluster map). */
  private final Predicate<String> unloaded;
  private final IMap<String, String> events;

  /** Versions requests wait for, with when they first asked (ms); heard by every gateway. */
  private final Map<Unit, Long> demand = new ConcurrentHashMap<>();
  /** When each of them last asked: a demand not asked again within {@link #DEMAND_MS} is dropped. */
  private final Map<Unit, Long> askedAgain = new ConcurrentHashMap<>();
  /** Versions the decider could not place for waiting requests: the reason and until when it is told (ms). */
  private final Map<Unit, Refusal> refused = new ConcurrentHashMap<>();
  private final Map<Unit, Long> hotSince = new HashMap<>();
  private final RequestRates rates = new RequestRates();
  /** While deciding: the assignment as written (worker id to version to when placed). */
  private Map<String, Map<Unit, Long>> current;
  /** While deciding: the versions placed for waiting requests, by worker, until when they count as cold. */
  private final Map<String, Map<String, Long>> cold = new HashMap<>();
  private final Map<String, long[]> counts = new HashMap<>();
  private volatile boolean deciding;
  private boolean ticking;
  private long timer = -1;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final Map<String, Counter> changeCounters = new ConcurrentHashMap<>();
  private Gauge leaderGauge;

  private record Refusal(String reason, long at, long until) {}

  private static Refusal refusal(String reason) {
    long now = System.currentTimeMillis();
    return new Refusal(reason, now, now + REFUSAL_MS);
  }

  /** @param unloaded whether a model was unloaded through the repository API ({@code WantedModels#unloaded}) */
  public Placer(Vertx vertx, HazelcastInstance hazelcast, WorkerRegistry registry, Predicate<String> unloaded,
      PlacementConfig config, MeterRegistry meters) {
    this.unloaded = unloaded;
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.registry = registry;
    this.config = config;
    this.plan = new PlacementPlan(config);
    this.meters = meters;
    this.assignments = hazelcast.getMap(Assignment.MAP);
    this.events = hazelcast.getMap(EVENTS_MAP);
  }

  public Future<Void> start() {
    MessageConsumer<JsonObject> asks = vertx.eventBus().consumer(DEMAND, m -> {
      Unit u = new Unit(m.body().getString("model"), m.body().getString("version"));
      long now = System.currentTimeMillis();
      askedAgain.put(u, now);
      boolean fresh = demand.putIfAbsent(u, now) == null; // first asked, first placed
      if (fresh && deciding) {
        tick(); // at once, not at the next interval: a request waits
      }
    });
    MessageConsumer<JsonObject> refusals = vertx.eventBus().consumer(REFUSED, m -> refused.put(
        new Unit(m.body().getString("model"), m.body().getString("version")),
        refusal(m.body().getString("reason"))));
    consumers.add(asks);
    consumers.add(refusals);
    leaderGauge = Gauge.builder("maas.placement.leader", this, p -> p.deciding ? 1 : 0)
        .description("1 on the gateway that decides placement now, 0 on the others").register(meters);
    timer = vertx.setPeriodic(config.intervalMillis(), id -> tick());
    return Future.join(asks.completion(), refusals.completion()).mapEmpty();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(timer);
    if (leaderGauge != null) {
      meters.remove(leaderGauge);
    }
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  /** Asks the decider (wherever it is) to place a version requests wait for. */
  public void demand(String model, String version) {
    vertx.eventBus().publish(DEMAND, new JsonObject().put("model", model).put("version", version));
  }

  /**
   * Why the decider could not place a version requests wait for, if it said so since a time (ms since the epoch): a
   * refusal from before a wait began (the model unloaded then, loaded again since) does not end it.
   */
  public String refusal(String model, String version, long sinceMillis) {
    Refusal r = refused.get(new Unit(model, version));
    return r == null || r.at() < sinceMillis || r.until() < System.currentTimeMillis() ? null : r.reason();
  }

  /** Whether this gateway decides placement now. */
  public boolean deciding() {
    return deciding;
  }

  /** What placement did on each worker (added, removed, evicted copies), as the cluster keeps it. Blocking. */
  public Map<String, JsonObject> events() {
    Map<String, JsonObject> out = new TreeMap<>();
    events.forEach((id, json) -> out.put(id, new JsonObject(json)));
    return out;
  }

  private boolean oldestGateway() {
    Member local = hazelcast.getCluster().getLocalMember();
    for (Member m : hazelcast.getCluster().getMembers()) {
      if (!m.isLiteMember()) {
        return m.getUuid().equals(local.getUuid());
      }
    }
    return false;
  }

  private void tick() {
    if (ticking) {
      return;
    }
    long now = System.currentTimeMillis();
    askedAgain.values().removeIf(at -> now - at > DEMAND_MS);
    demand.keySet().retainAll(askedAgain.keySet());
    refused.values().removeIf(r -> r.until() < now);
    boolean leader = oldestGateway();
    if (!leader) {
      if (deciding) {
        LOG.info("placement: another gateway decides now");
      }
      deciding = false;
      current = null;
      return;
    }
    List<WorkerEndpoint> workers = registry.workers().stream()
        .filter(w -> w.announcement().resources().placed() && !w.announcement().draining()).toList();
    if (workers.isEmpty() && current == null) {
      deciding = true;
      return;
    }
    if (current != null) {
      deciding = true;
      decide(workers, now);
      return;
    }
    // taking over: where the gateway before left the assignments and its counts, read once off the event loop
    ticking = true;
    vertx.executeBlocking(() -> new Takeover(readAssignments(), readEvents()), false)
        .onSuccess(t -> {
          LOG.info("placement: this gateway decides now ({} worker assignment(s) in the cluster)",
              t.assignments().size());
          current = t.assignments();
          counts.clear();
          counts.putAll(t.events());
          deciding = true;
          decide(workers, System.currentTimeMillis());
        })
        .onFailure(e -> LOG.warn("placement: reading the cluster failed: {}", e.getMessage()))
        .onComplete(done -> ticking = false);
  }

  private record Takeover(Map<String, Map<Unit, Long>> assignments, Map<String, long[]> events) {}

  private Map<String, Map<Unit, Long>> readAssignments() {
    Map<String, Map<Unit, Long>> out = new HashMap<>();
    assignments.forEach((id, json) -> {
      Assignment a = Assignment.fromJson(json);
      Map<Unit, Long> held = new TreeMap<>();
      a.versions().forEach((m, vs) -> vs.forEach(v -> held.put(new Unit(m, v), a.updatedAt())));
      out.put(id, held);
    });
    return out;
  }

  private Map<String, long[]> readEvents() {
    Map<String, long[]> out = new HashMap<>();
    events.forEach((id, json) -> {
      JsonObject j = new JsonObject(json);
      long[] n = new long[PlacementPlan.Kind.values().length];
      for (PlacementPlan.Kind k : PlacementPlan.Kind.values()) {
        n[k.ordinal()] = j.getLong(k.word, 0L);
      }
      out.put(id, n);
    });
    return out;
  }

  private void decide(List<WorkerEndpoint> workers, long now) {
    List<PoolWorker> pool = workers.stream().map(this::poolWorker).toList();
    PlacementPlan.Decision d = plan.decide(pool, current, this::replicas, unloaded, Map.copyOf(demand), hotSince, now);
    Set<String> changed = new HashSet<>();
    for (PlacementPlan.Change c : d.changes()) {
      changed.add(c.workerId());
      LOG.info("placement: {} {} {} {} ({})", c.kind().doing, c.unit(), c.kind().preposition, c.workerId(), c.reason());
      count(c);
      if (c.kind() == PlacementPlan.Kind.ADDED && demand.remove(c.unit()) != null) {
        askedAgain.remove(c.unit());
        // the ask is answered: requests still waiting when it is READY somewhere ask again (every second)
        cold.computeIfAbsent(c.workerId(), k -> new HashMap<>()).put(c.unit().model(), now + COLD_MS);
      }
    }
    // a worker gone from the registry loses its assignment; one still there but not in the pool (draining) keeps it
    Set<String> known = new HashSet<>();
    registry.workers().forEach(w -> known.add(w.workerId()));
    rates.retain(known);
    for (String id : List.copyOf(current.keySet())) {
      if (!known.contains(id)) {
        current.remove(id);
        cold.remove(id);
        assignments.removeAsync(id);
      }
    }
    for (String id : changed) {
      Map<Unit, Long> held = d.assignment().get(id);
      current.put(id, held);
      Map<String, Long> coldHere = cold.getOrDefault(id, new HashMap<>());
      coldHere.values().removeIf(until -> until < now);
      List<String> coldModels = coldHere.keySet().stream().filter(m -> held.keySet().stream()
          .anyMatch(u -> u.model().equals(m))).toList();
      Assignment a = new Assignment(id, PlacementPlan.byModel(held), coldModels, now);
      assignments.setAsync(id, a.toJson());
      long[] n = counts.computeIfAbsent(id, k -> new long[3]);
      JsonObject counted = new JsonObject();
      for (PlacementPlan.Kind k : PlacementPlan.Kind.values()) {
        counted.put(k.word, n[k.ordinal()]);
      }
      events.setAsync(id, counted.encode());
    }
    pool.forEach(w -> current.putIfAbsent(w.id(), d.assignment().get(w.id())));
    // waiting requests are told at once only what waiting cannot change; a pool full of versions in use frees up
    Map<Unit, String> hopeless = new HashMap<>(d.hopeless());
    demand.keySet().stream().filter(u -> unloaded.test(u.model()))
        .forEach(u -> hopeless.put(u, "it was unloaded through the repository API (a load serves it again)"));
    hopeless.forEach((u, reason) -> {
      if (demand.containsKey(u)) {
        vertx.eventBus().publish(REFUSED, new JsonObject().put("model", u.model()).put("version", u.version())
            .put("reason", reason));
      }
    });
    unplaced = Map.copyOf(d.unplaced());
  }

  private volatile Map<Unit, String> unplaced = Map.of();

  /** The versions the decider could not give the copies they need, and why (empty on other gateways). */
  public Map<String, String> unplaced() {
    Map<String, String> out = new TreeMap<>();
    unplaced.forEach((u, r) -> out.put(u.toString(), r));
    return out;
  }

  private void count(PlacementPlan.Change c) {
    counts.computeIfAbsent(c.workerId(), k -> new long[PlacementPlan.Kind.values().length])[c.kind().ordinal()]++;
    changeCounters.computeIfAbsent(c.kind().word + "|" + c.workerId(), k -> Counter.builder("maas.placement.changes")
        .description("copies of model versions placement added to, removed from or evicted from a worker")
        .tag("change", c.kind().word).tag("worker", c.workerId()).register(meters)).increment();
  }

  private PoolWorker poolWorker(WorkerEndpoint w) {
    WorkerAnnouncement a = w.announcement();
    Map<Unit, VersionUsage> listed = new HashMap<>();
    a.resources().versions().forEach(v -> listed.put(new Unit(v.model(), v.version()), v));
    rates.update(a.workerId(), a.resources().atMillis(), listed);
    Set<Unit> failed = new HashSet<>();
    for (ModelStatus s : a.models()) {
      if (s.version().isEmpty()) {
        listed.keySet().removeIf(u -> u.model().equals(s.name())); // its directory cannot be read
      } else if (s.failedToLoad()) {
        failed.add(new Unit(s.name(), s.version()));
      }
    }
    return new PoolWorker(a.workerId(), a.resources().memoryLimitBytes(), listed, failed, w.load(),
        a.resources().atMillis(), rates.of(a.workerId()));
  }

  /** A model's replicas: the repository API's, else its configuration's (as its workers announce it). */
  private Replicas replicas(String model) {
    Replicas r = registry.policies().policyOf(model).replicas();
    return r == null ? Replicas.DEFAULT : r;
  }

}
