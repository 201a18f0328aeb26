package io.maas.worker;

import io.maas.bus.Addresses;
import io.maas.config.ModelControlConfig;
import io.maas.config.SlotConfig;
import io.maas.config.WorkerConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.QueueTicket;
import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import io.maas.model.WorkerResources;
import io.maas.worker.batching.Queueing;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.lifecycle.ModelLifecycle;
import io.maas.worker.placement.AssignedModels;
import io.maas.worker.placement.ClusterAssignments;
import io.maas.worker.memory.ProcessMemory;
import io.maas.worker.memory.SlotFootprints;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelSource;
import io.maas.worker.repository.UploadedModelFiles;
import io.maas.worker.runtime.OrtRuntime;
import io.maas.worker.stats.ModelMetrics;
import io.maas.worker.stats.ModelStatistics;
import io.maas.worker.stats.WorkerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker verticle pinned to one device slot. It loads the repository's models for its device, takes
 * inference requests on its own event-bus address, runs them on its {@link DeviceSlot} (ONNX Runtime on
 * its own worker threads, never on the event loop, or the simulated device) and announces what it holds
 * to the gateways. Every model version it loads reports to its {@link ModelStatistics} (answered on
 * {@link Addresses#workerStats}) and its {@link ModelMetrics} (in the process's meter registry).
 *
 * <p>It announces its resources too ({@link WorkerResources}): the slot's memory budget (worked out before
 * anything else starts: a {@code cuda:N} slot whose budget cannot be worked out fails its start in placed mode),
 * the memory its versions take, and what each version takes and how it is used (see {@code docs/placement.md}).
 *
 * <p>It leaves gracefully when undeployed (on SIGTERM the process's shutdown hook closes Vert.x): it
 * announces that it is draining and publishes its departure, so gateways stop routing to it; it keeps
 * taking requests for {@code worker.drain_grace_ms}, for those routed before the gateways heard; then it
 * stops listening, waits (at most {@code worker.drain_timeout_ms}) for what it holds to finish, and only
 * then closes its sessions.
 */
public final class WorkerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerVerticle.class);
  /** Placed mode: how often a slot reads its assignment again, whatever the notices said. */
  private static final long REFRESH_MS = 5000;

  private final String workerId;
  private final String nodeId;
  private final SlotConfig slot;
  private final WorkerConfig config;
  private final OrtRuntime runtime;
  private final List<ModelDefinition> models;
  /** The repository's models this slot does not load at start: listed UNAVAILABLE "unloaded", as Triton's index does. */
  private final List<ModelDefinition> unloaded;
  private final ModelSource source;
  /** Where uploaded model files come from; null outside a cluster (uploads are refused). */
  private final UploadedModelFiles uploads;
  private final MeterRegistry meters;
  /** Placed mode: the cluster's assignments; null in the other modes (or outside a cluster). */
  private final ClusterAssignments assignments;
  private AssignedModels placed;
  private long refreshTimer = -1;
  private final ProcessMemory memory;

  /** The model versions this slot holds; touched on this verticle's event loop only. */
  private ModelLifecycle lifecycle;
  /** Requests taken and not yet answered; written on this verticle's event loop only, read by scrapes. */
  private volatile int inFlight;
  private boolean draining;

  private WorkerExecutor executor;
  private DeviceSlot device;
  private long announceTimer;
  private MessageConsumer<InferenceRequest> infer;
  private MessageConsumer<String> cancel;
  /** The requests in flight that a gateway may cancel, by ticket id (answers may come on the slot's threads). */
  private final Map<String, Queueing> cancellable = new ConcurrentHashMap<>();
  private MessageConsumer<Object> discover;
  private MessageConsumer<JsonObject> stats;
  private MessageConsumer<JsonObject> control;
  private long pollTimer = -1;
  private WorkerMetrics workerMetrics;
  /** The slot's memory budget in bytes; 0 until known, or where it cannot be worked out outside placed mode. */
  private long budgetBytes;
  /** What the versions held take now: written at every announcement, on this verticle's event loop; read by scrapes. */
  private volatile long memoryUsedBytes;

  /**
   * @param meters the process's meter registry, where this worker's and its models' meters go
   * @param memory the process's, shared by its slots: their budgets, and the meter that measures their loads
   */
  public WorkerVerticle(String workerId, String nodeId, SlotConfig slot, WorkerConfig config, OrtRuntime runtime,
      List<ModelDefinition> models, List<ModelDefinition> unloaded, ModelSource source, UploadedModelFiles uploads,
      MeterRegistry meters, ProcessMemory memory, ClusterAssignments assignments) {
    this.assignments = assignments;
    this.unloaded = unloaded.stream().filter(m -> m.config().placement().accepts(slot)).toList();
    this.uploads = uploads;
    this.meters = meters;
    this.memory = memory;
    this.workerId = workerId;
    this.nodeId = nodeId;
    this.slot = slot;
    this.config = config;
    this.runtime = runtime;
    this.models = models.stream().filter(m -> m.config().placement().accepts(slot)).toList();
    this.source = source;
  }

  public String workerId() {
    return workerId;
  }

  @Override
  public Future<?> start() {
    executor = vertx.createSharedWorkerExecutor("maas-" + workerId, Math.max(1, instanceCount()));
    lifecycle = new ModelLifecycle(workerId, meters, executor, SlotFootprints.of(slot), this::announce);
    lifecycle.declare(models);
    lifecycle.declareUnloaded(unloaded);
    return budget()
        .compose(bytes -> {
          budgetBytes = bytes;
          listen();
          return DeviceSlots.open(vertx, executor, runtime, slot, config.defaultMaxBatchSize(), config.maxQueueSize(),
              memory.meter());
        })
        .compose(opened -> {
          device = opened;
          return Future.join(List.of(infer.completion(), discover.completion(), stats.completion(), control.completion()));
        })
        .onSuccess(v -> {
          LOG.info("worker {} on {} listening on {}", workerId, device.device(), Addresses.worker(workerId));
          announce();
          lifecycle.apply(device, models);
          if (config.control().mode() == ModelControlConfig.Mode.PLACED && assignments != null) {
            placed = new AssignedModels(vertx, workerId, lifecycle, device, source, uploads, assignments::of,
                assignments::wanted, m -> m.config().placement().accepts(slot));
            placed.refresh();
            // a safety net under the cluster's notices: a notice missed (sent before this slot listened) costs time only
            refreshTimer = vertx.setPeriodic(REFRESH_MS, id -> placed.check());
          }
          if (config.control().mode() == ModelControlConfig.Mode.POLL) {
            pollTimer = vertx.setPeriodic(config.control().repositoryPollSeconds() * 1000, id -> poll());
          }
        });
  }

  /**
   * The slot's memory budget ({@link io.maas.worker.memory.MemoryBudget}). Where it cannot be worked out (a
   * {@code cuda:N} slot without {@code nvidia-smi} or {@code memory_limit_mb}), placed mode cannot place models on
   * the slot: its start fails, saying so; the other modes need no budget, and the slot announces none (0).
   */
  private Future<Long> budget() {
    return executor.executeBlocking(() -> memory.budgets().bytesFor(slot), false)
        .recover(e -> {
          if (placed()) {
            return Future.failedFuture(e);
          }
          LOG.warn("worker {}: no memory budget ({}); placed mode would need one", workerId, e.getMessage());
          return Future.succeededFuture(0L);
        });
  }

  /** Takes requests, statistics queries, repository changes and discovery calls; announces periodically. */
  private void listen() {
    infer = vertx.eventBus().consumer(Addresses.worker(workerId), this::onInfer);
    cancel = vertx.eventBus().consumer(Addresses.workerCancel(workerId), this::onCancel);
    stats = vertx.eventBus().consumer(Addresses.workerStats(workerId), this::onStats);
    control = vertx.eventBus().consumer(Addresses.workerControl(workerId), this::onControl);
    workerMetrics = new WorkerMetrics(meters, workerId, () -> inFlight);
    if (budgetBytes > 0) {
      workerMetrics.watchMemory(budgetBytes, () -> memoryUsedBytes);
    }
    discover = vertx.eventBus().consumer(Addresses.DISCOVER, m -> announce());
    announceTimer = vertx.setPeriodic(config.announceIntervalMillis(), id -> announce());
  }

  private boolean placed() {
    return config.control().mode() == ModelControlConfig.Mode.PLACED;
  }

  /** Poll mode: the repository as it is now (new models load, removed ones unload, changed ones reload). */
  private void poll() {
    vertx.executeBlocking(source::scan, false)
        .compose(all -> lifecycle.apply(device, all.stream().filter(m -> m.config().placement().accepts(slot)).toList()))
        .onFailure(e -> LOG.warn("worker {}: reading the model repository failed: {}", workerId, e.getMessage()));
  }

  /**
   * A repository change ({@link Addresses#workerControl}): loads the model as its source holds it now (with
   * the configuration given, if any), or unloads it; replies with its versions' states once done.
   */
  private void onControl(Message<JsonObject> msg) {
    JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
    String model = body.getString("model", "");
    Future<List<ModelStatus>> done;
    if ("refresh".equals(body.getString("op"))) {
      if (placed != null) {
        placed.refresh();
      }
      msg.reply(new JsonObject().put("worker_id", workerId));
      return;
    }
    if (config.control().mode() == ModelControlConfig.Mode.PLACED) {
      done = onPlacedControl(body, model);
    } else if (config.control().mode() != ModelControlConfig.Mode.EXPLICIT) {
      done = Future.failedFuture(MaasException.invalid("models are loaded and unloaded through the repository API in "
          + "explicit mode only; worker %s reads its repository in %s mode (worker.model_control_mode)", workerId,
          config.control().mode().name().toLowerCase()));
    } else if ("load".equals(body.getString("op"))) {
      JsonObject override = body.getJsonObject("config");
      Map<String, String> files = new HashMap<>();
      body.getJsonObject("files", new JsonObject()).forEach(e -> files.put(e.getKey(), (String) e.getValue()));
      done = vertx.executeBlocking(() -> {
        if (!files.isEmpty()) {
          if (uploads == null) {
            throw MaasException.invalid("worker %s is not in a cluster: it takes no uploaded files", workerId);
          }
          uploads.install(source.directoryOf(model), files);
        }
        return source.find(model, override);
      }, false).compose(found -> {
        if (found.isEmpty() || !found.get().config().placement().accepts(slot)) {
          return Future.failedFuture(MaasException.notFound("model '%s' is not in the repository of worker %s%s", model,
              workerId, found.isEmpty() ? "" : " for its device " + slot.device()));
        }
        return lifecycle.change(device, model, found);
      });
    } else if ("unload".equals(body.getString("op"))) {
      done = lifecycle.holds(model) ? lifecycle.change(device, model, Optional.empty())
          : Future.failedFuture(MaasException.notFound("model '%s' is not held by worker %s", model, workerId));
    } else {
      done = Future.failedFuture(MaasException.invalid("unknown repository operation '%s'", body.getString("op")));
    }
    done.onSuccess(statuses -> msg.reply(new JsonObject().put("worker_id", workerId).put("model", model)
            .put("statuses", new JsonArray(statuses.stream().map(ModelStatus::toJson).toList()))))
        .onFailure(e -> fail(msg, e));
  }

  /**
   * Placed mode: a load makes the model available to placement here (its files installed, its versions listed
   * "unloaded", a failed one listed loadable again) and reloads it where it is held; an unload unloads it.
   */
  private Future<List<ModelStatus>> onPlacedControl(JsonObject body, String model) {
    if ("unload".equals(body.getString("op"))) {
      return lifecycle.holds(model) ? lifecycle.change(device, model, Optional.empty())
          : Future.failedFuture(MaasException.notFound("model '%s' is not held by worker %s", model, workerId));
    }
    if (!"load".equals(body.getString("op"))) {
      return Future.failedFuture(MaasException.invalid("unknown repository operation '%s'", body.getString("op")));
    }
    JsonObject override = body.getJsonObject("config");
    Map<String, String> files = new HashMap<>();
    body.getJsonObject("files", new JsonObject()).forEach(e -> files.put(e.getKey(), (String) e.getValue()));
    return vertx.executeBlocking(() -> {
      if (!files.isEmpty() && uploads != null) {
        uploads.install(source.directoryOf(model), files);
      }
      return source.find(model, override);
    }, false).compose(found -> {
      if (found.isEmpty() || !found.get().config().placement().accepts(slot)) {
        return Future.failedFuture(MaasException.notFound("model '%s' is not in the repository of worker %s", model,
            workerId));
      }
      if (!found.get().error().isEmpty()) {
        lifecycle.declareAvailable(found.get());
        return Future.failedFuture(MaasException.invalid("model '%s': %s", model, found.get().error()));
      }
      lifecycle.declareAvailable(found.get());
      if (placed != null) {
        placed.refresh();
      }
      return Future.succeededFuture(lifecycle.statuses().stream().filter(s -> s.name().equals(model)).toList());
    });
  }

  private void onInfer(Message<InferenceRequest> msg) {
    InferenceRequest request = msg.body();
    String header = msg.headers().get(Addresses.TICKET_HEADER);
    Queueing queueing;
    try {
      queueing = header == null ? Queueing.untracked() : Queueing.of(QueueTicket.fromHeader(header), System.nanoTime());
    } catch (IllegalArgumentException e) {
      fail(msg, MaasException.invalid("%s", e.getMessage()));
      return;
    }
    String id = queueing.ticket().id();
    if (!id.isEmpty()) {
      cancellable.put(id, queueing);
    }
    inFlight++;
    lifecycle.infer(request, queueing)
        .onSuccess(response -> msg.reply(response, header == null ? new DeliveryOptions() : new DeliveryOptions()
            .addHeader(Addresses.QUEUE_WAIT_HEADER, Long.toString(queueing.waitedNanos() / 1_000))))
        .onFailure(e -> fail(msg, e))
        .onComplete(answered -> {
          inFlight--;
          if (!id.isEmpty()) {
            cancellable.remove(id);
          }
        });
  }

  /** A gateway's client went away: its request, if still queued here, never runs. */
  private void onCancel(Message<String> msg) {
    Queueing queueing = cancellable.get(msg.body());
    if (queueing != null) {
      queueing.cancel();
    }
  }

  /**
   * Answers a statistics query: the {@code model_stats} of the loaded model versions, all of them or those
   * of the {@code model} (and {@code version}) the query names.
   */
  private void onStats(Message<JsonObject> msg) {
    JsonObject query = msg.body() == null ? new JsonObject() : msg.body();
    String model = query.getString("model", "");
    String version = query.getString("version", "");
    msg.reply(new JsonObject().put("worker_id", workerId).put("model_stats", lifecycle.statistics(model, version)));
  }

  private static void fail(Message<?> msg, Throwable e) {
    MaasException failure = e instanceof MaasException m
        ? m : new MaasException(ErrorCode.INTERNAL, "inference failed: " + e, e);
    if (failure.code() == ErrorCode.INTERNAL && failure.getCause() == null) {
      LOG.error("request {}: {}", msg.headers().get(Addresses.REQUEST_ID_HEADER), failure.getMessage());
    } else if (failure.code() == ErrorCode.INTERNAL) {
      LOG.error("request {}: {}", msg.headers().get(Addresses.REQUEST_ID_HEADER), failure.getMessage(), failure);
    }
    msg.fail(failure.code().wireId(), failure.getMessage());
  }

  /** The model instances this slot holds: how many requests it runs at once. */
  private int instanceCount() {
    return models.stream().mapToInt(m -> m.config().placement().count() * m.versions().size()).sum();
  }

  private void announce() {
    List<ModelStatus> all = lifecycle.statuses();
    String announcedDevice = device == null ? slot.device() : device.device();
    memoryUsedBytes = lifecycle.memoryUsedBytes();
    WorkerResources resources = new WorkerResources(placed(), budgetBytes, memoryUsedBytes, lifecycle.usage(),
        lifecycle.coldLoads());
    WorkerAnnouncement a = new WorkerAnnouncement(workerId, nodeId, Addresses.worker(workerId), announcedDevice, all,
        config.announceIntervalMillis() * 3, inFlight, draining, instanceCount(), resources);
    vertx.eventBus().publish(Addresses.ANNOUNCE, a.toJson());
  }

  /** Completes once no request is running, or at the deadline, so that no session closes under a run. */
  private Future<Void> drained(long deadlineNanos) {
    if (inFlight == 0) {
      return Future.succeededFuture();
    }
    if (System.nanoTime() - deadlineNanos > 0) {
      LOG.warn("worker {}: {} request(s) still running after worker.drain_timeout_ms; closing anyway", workerId, inFlight);
      return Future.succeededFuture();
    }
    return vertx.timer(10).compose(t -> drained(deadlineNanos));
  }

  /** Keeps taking requests for the grace period, for those routed before the gateways heard of the departure. */
  private Future<?> grace() {
    return config.drainGraceMillis() == 0 ? Future.succeededFuture() : vertx.timer(config.drainGraceMillis());
  }

  /** This worker and its models are gone: so are their meters. */
  private void removeMeters() {
    lifecycle.removeMeters();
    if (workerMetrics != null) {
      workerMetrics.close();
    }
  }

  @Override
  public Future<?> stop() {
    long started = System.nanoTime();
    draining = true;
    vertx.cancelTimer(announceTimer);
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(refreshTimer);
    LOG.info("worker {} draining: {} request(s) in flight, taking requests for {} ms more", workerId, inFlight,
        config.drainGraceMillis());
    announce();
    vertx.eventBus().publish(Addresses.DEPART, new JsonObject().put("worker_id", workerId));
    Future<Void> discovery = discover == null ? Future.succeededFuture() : discover.unregister();
    Future<Void> statsQueries = stats == null ? Future.succeededFuture() : stats.unregister();
    Future<Void> changes = control == null ? Future.succeededFuture() : control.unregister();
    return Future.join(discovery, statsQueries, changes)
        .transform(v -> grace())
        .transform(v -> infer == null ? Future.succeededFuture() : infer.unregister())
        .transform(v -> cancel == null ? Future.succeededFuture() : cancel.unregister())
        .transform(v -> drained(System.nanoTime() + config.drainTimeoutMillis() * 1_000_000L))
        .transform(v -> executor.executeBlocking(() -> {
          lifecycle.closeSessions();
          if (device != null) {
            device.close();
          }
          return null;
        }))
        .eventually(() -> executor.close())
        .andThen(closed -> removeMeters())
        .onComplete(done -> LOG.info("worker {} stopped after draining for {} ms", workerId,
            (System.nanoTime() - started) / 1_000_000));
  }
}
