package io.maas.worker;

import io.maas.bus.Addresses;
import io.maas.config.SlotConfig;
import io.maas.config.WorkerConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import io.maas.worker.instance.LoadedModel;
import io.maas.worker.instance.ModelLoader;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.runtime.OrtRuntime;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker verticle pinned to one device slot. It loads the repository's models for its device, takes
 * inference requests on its own event-bus address, runs them on its own worker threads (never on the
 * event loop) and announces what it holds to the gateways.
 */
public final class WorkerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerVerticle.class);

  private final String workerId;
  private final String nodeId;
  private final SlotConfig slot;
  private final WorkerConfig config;
  private final OrtRuntime runtime;
  private final List<ModelDefinition> models;

  /** Model name -> version -> status; touched on this verticle's event loop only. */
  private final Map<String, Map<String, ModelStatus>> statuses = new LinkedHashMap<>();
  /** Model name -> version -> loaded model; written on the event loop, read there only. */
  private final Map<String, Map<String, LoadedModel>> loaded = new LinkedHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  private WorkerExecutor executor;
  private OrtRuntime.SlotOptions slotOptions;
  private long announceTimer;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  public WorkerVerticle(String workerId, String nodeId, SlotConfig slot, WorkerConfig config, OrtRuntime runtime,
      List<ModelDefinition> models) {
    this.workerId = workerId;
    this.nodeId = nodeId;
    this.slot = slot;
    this.config = config;
    this.runtime = runtime;
    this.models = models.stream().filter(m -> m.config().placement().accepts(slot)).toList();
  }

  public String workerId() {
    return workerId;
  }

  @Override
  public Future<?> start() {
    int threads = Math.max(1, models.stream().mapToInt(m -> m.config().placement().count() * m.versions().size()).sum());
    executor = vertx.createSharedWorkerExecutor("maas-" + workerId, threads);
    for (ModelDefinition m : models) {
      Map<String, ModelStatus> versions = statuses.computeIfAbsent(m.name(), k -> new LinkedHashMap<>());
      if (!m.error().isEmpty()) {
        versions.put("", ModelStatus.loading(m.name(), "").withState(ModelReadyState.UNAVAILABLE, m.error()));
      }
      m.versionNumbers().forEach(v -> versions.put(Long.toString(v), ModelStatus.loading(m.name(), Long.toString(v))));
    }
    MessageConsumer<InferenceRequest> infer = vertx.eventBus().consumer(Addresses.worker(workerId), this::onInfer);
    MessageConsumer<Object> discover = vertx.eventBus().consumer(Addresses.DISCOVER, m -> announce());
    consumers.add(infer);
    consumers.add(discover);
    announceTimer = vertx.setPeriodic(config.announceIntervalMillis(), id -> announce());
    return executor.executeBlocking(() -> runtime.optionsFor(slot))
        .compose(options -> {
          slotOptions = options;
          return Future.join(infer.completion(), discover.completion());
        })
        .onSuccess(v -> {
          LOG.info("worker {} on {} listening on {}", workerId, slotOptions.effectiveDevice(), Addresses.worker(workerId));
          announce();
          loadAll();
        });
  }

  /** Loads every model version in the background, announcing each state change. */
  private void loadAll() {
    ModelLoader loader = new ModelLoader(runtime, config.defaultMaxBatchSize());
    for (ModelDefinition def : models) {
      for (long v : def.versionNumbers()) {
        String version = Long.toString(v);
        executor.executeBlocking(() -> loader.load(def, v, slotOptions.options()), false)
            .onSuccess(model -> {
              loaded.computeIfAbsent(def.name(), k -> new LinkedHashMap<>()).put(version, model);
              setStatus(new ModelStatus(def.name(), version, ModelReadyState.READY, "", "onnxruntime_onnx",
                  model.signature().maxBatchSize(), model.signature().inputs(), model.signature().outputs(),
                  model.signature().text()));
              LOG.info("model {} version {} READY on {} ({} instance(s))", def.name(), version,
                  slotOptions.effectiveDevice(), model.instanceCount());
            })
            .onFailure(e -> {
              setStatus(ModelStatus.loading(def.name(), version).withState(ModelReadyState.UNAVAILABLE, e.getMessage()));
              LOG.warn("model {} version {} UNAVAILABLE: {}", def.name(), version, e.getMessage());
            });
      }
    }
  }

  private void setStatus(ModelStatus status) {
    statuses.computeIfAbsent(status.name(), k -> new LinkedHashMap<>()).put(status.version(), status);
    announce();
  }

  private void onInfer(Message<InferenceRequest> msg) {
    InferenceRequest request = msg.body();
    inFlight.incrementAndGet();
    Future.<LoadedModel>future(found -> found.complete(find(request)))
        .compose(model -> executor.executeBlocking(() -> model.infer(request), false))
        .andThen(done -> inFlight.decrementAndGet())
        .onSuccess(msg::reply)
        .onFailure(e -> fail(msg, e));
  }

  private static void fail(Message<InferenceRequest> msg, Throwable e) {
    MaasException failure = e instanceof MaasException m
        ? m : new MaasException(ErrorCode.INTERNAL, "inference failed: " + e, e);
    if (failure.code() == ErrorCode.INTERNAL) {
      LOG.error("request {} for {}: {}", msg.headers().get(Addresses.REQUEST_ID_HEADER), msg.body().model(),
          failure.getMessage(), failure);
    }
    msg.fail(failure.code().wireId(), failure.getMessage());
  }

  private LoadedModel find(InferenceRequest request) {
    Map<String, LoadedModel> versions = loaded.get(request.model());
    if (!statuses.containsKey(request.model())) {
      throw MaasException.notFound("model '%s' is not held by worker %s", request.model(), workerId);
    }
    if (versions == null || versions.isEmpty()) {
      throw MaasException.unavailable("model '%s' is not ready on worker %s", request.model(), workerId);
    }
    if (request.version().isEmpty()) {
      return versions.entrySet().stream()
          .max(Comparator.comparingLong(e -> Long.parseLong(e.getKey())))
          .orElseThrow()
          .getValue();
    }
    LoadedModel m = versions.get(request.version());
    if (m == null) {
      throw MaasException.notFound("model '%s' version %s is not loaded on worker %s",
          request.model(), request.version(), workerId);
    }
    return m;
  }

  private void announce() {
    List<ModelStatus> all = new ArrayList<>();
    statuses.values().forEach(v -> all.addAll(v.values()));
    String device = slotOptions == null ? slot.device() : slotOptions.effectiveDevice();
    WorkerAnnouncement a = new WorkerAnnouncement(workerId, nodeId, Addresses.worker(workerId), device, all,
        config.announceIntervalMillis() * 3, inFlight.get(), false);
    vertx.eventBus().publish(Addresses.ANNOUNCE, a.toJson());
  }

  private static final long DRAIN_TIMEOUT_NANOS = 30_000_000_000L;

  /** Completes once no request is running (or at the deadline), so that no session closes under a run. */
  private Future<Void> drained(long deadlineNanos) {
    if (inFlight.get() == 0 || System.nanoTime() > deadlineNanos) {
      return Future.succeededFuture();
    }
    return vertx.timer(10).compose(t -> drained(deadlineNanos));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(announceTimer);
    vertx.eventBus().publish(Addresses.DEPART, new JsonObject().put("worker_id", workerId));
    List<Future<Void>> unregistered = consumers.stream().map(MessageConsumer::unregister).toList();
    return Future.join(unregistered)
        .transform(v -> drained(System.nanoTime() + DRAIN_TIMEOUT_NANOS))
        .transform(v -> executor.executeBlocking(() -> {
          for (Map<String, LoadedModel> versions : loaded.values()) {
            for (LoadedModel m : versions.values()) {
              m.close();
            }
          }
          if (slotOptions != null) {
            slotOptions.close();
          }
          return null;
        }))
        .eventually(() -> executor.close());
  }
}
