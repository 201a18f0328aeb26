package io.maas.worker;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import com.hazelcast.core.HazelcastInstance;
import io.maas.bus.Addresses;
import io.maas.config.ModelControlConfig;
import io.maas.config.SlotConfig;
import io.maas.config.WorkerConfig;
import io.maas.model.WantedModel;
import io.maas.worker.placement.ClusterAssignments;
import io.maas.worker.memory.ProcessMemory;
import io.maas.worker.repository.BasePathModels;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelSource;
import io.maas.worker.repository.UploadedModelFiles;
import io.maas.worker.runtime.OrtRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deploys one {@link WorkerVerticle} per configured device slot, all serving one model repository. */
public final class WorkerNode {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerNode.class);

  private WorkerNode() {}

  /** {@link #deploy(Vertx, WorkerConfig, String, MeterRegistry, HazelcastInstance)} on a Vert.x that is not clustered, meters kept nowhere. */
  public static Future<List<String>> deploy(Vertx vertx, WorkerConfig config) {
    return deploy(vertx, config, "local", new CompositeMeterRegistry(), null);
  }

  /**
   * Scans the repository and deploys the slots' verticles; completes with their deployment ids.
   *
   * @param nodeId the cluster member the workers run in, announced with them
   * @param meters the process's meter registry, where the workers record their metrics
   * @param hazelcast the cluster, whose wanted models (the repository API's changes) the workers apply in
   *     explicit mode, at start and after; null: none (a worker outside a cluster)
   */
  public static Future<List<String>> deploy(Vertx vertx, WorkerConfig config, String nodeId, MeterRegistry meters,
      HazelcastInstance hazelcast) {
    ModelSource source = ModelSource.of(config);
    boolean placed = config.control().mode() == ModelControlConfig.Mode.PLACED;
    ClusterWantedModels wanted = hazelcast == null || (config.control().mode() != ModelControlConfig.Mode.EXPLICIT && !placed)
        ? null : new ClusterWantedModels(hazelcast);
    ClusterAssignments assignments = hazelcast != null && placed ? new ClusterAssignments(hazelcast) : null;
    UploadedModelFiles uploads = hazelcast == null ? null
        : new UploadedModelFiles(sha -> hazelcast.<String, byte[]>getMap(WantedModel.FILES_MAP).get(sha));
    List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicReference<ClusterWantedModels.Follower> follower = new AtomicReference<>();
    return vertx.executeBlocking(() -> {
      // follow first, then read: a change made between the two is held, not missed
      follower.set(wanted == null ? null : wanted.follow());
      if (assignments != null) {
        // a slot's assignment changed: it reads it again (a notice before the slot listens is caught by its timer)
        assignments.onChange(id -> {
          if (ids.contains(id)) {
            refresh(vertx, id);
          }
        });
      }
      return readModels(config, source, uploads, wanted == null ? Map.of() : wanted.snapshot());
    })
        .compose(models -> {
          // ORT's own log would repeat every rejected client input at ERROR level; maas reports those to
          // the client and logs its own failures, so only ORT's fatal messages go to stderr.
          OrtRuntime runtime = new OrtRuntime(OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL));
          // one for all the slots: the resident set they measure their loads by is the process's
          ProcessMemory memory = ProcessMemory.of(config.slots());
          String node = UUID.randomUUID().toString().substring(0, 8);
          List<Future<String>> deployments = new ArrayList<>();
          for (int i = 0; i < config.slots().size(); i++) {
            SlotConfig slot = config.slots().get(i);
            String id = node + "-" + slot.device().replace(":", "") + "-" + i;
            ids.add(id);
            deployments.add(vertx.deployVerticle(new WorkerVerticle(id, nodeId, slot, config, runtime, models.load(),
                models.unloaded(), source, uploads, meters, memory, assignments)));
          }
          return Future.all(deployments).map(all -> all.<String>list());
        })
        .onSuccess(deployed -> {
          if (follower.get() != null) {
            follower.get().start(change -> ids.forEach(id -> {
              if (placed) {
                // placed: a changed model reloads where it is assigned (newer files or configuration)
                refresh(vertx, id);
              } else {
                apply(vertx, id, change);
              }
            }));
          }
        });
  }

  /** Placed mode: tells one of this process's slots to read its assignment (and the models' wanted state) again. */
  private static void refresh(Vertx vertx, String workerId) {
    vertx.eventBus().send(Addresses.workerControl(workerId), new JsonObject().put("op", "refresh"));
  }

  /** A change made through the repository API on some gateway, applied to one of this process's slots. */
  private static void apply(Vertx vertx, String workerId, WantedModel change) {
    JsonObject message = new JsonObject().put("op", change.loaded() ? "load" : "unload").put("model", change.name());
    if (change.config() != null) {
      message.put("config", change.config());
    }
    if (!change.files().isEmpty()) {
      message.put("files", new JsonObject(new java.util.TreeMap<String, Object>(change.files())));
    }
    vertx.eventBus().request(Addresses.workerControl(workerId), message)
        .onFailure(e -> LOG.debug("worker {}: wanted change of model '{}' not applied: {}", workerId, change.name(),
            e.getMessage()));
  }

  /**
   * Refuses, before anything starts, models named with base paths that cannot be served (a missing
   * directory, a TensorFlow SavedModel, no model file).
   *
   * @throws IllegalArgumentException saying what to fix
   */
  public static void checkModels(WorkerConfig config) {
    BasePathModels.read(config.models());
  }

  /**
   * The models loaded at start, from the models named with base paths ({@code worker.models}) if any, else
   * the model repository; in explicit mode only those {@code worker.load_model} names ({@code *}: all), unless
   * the cluster's wanted models (the repository API's changes) say otherwise, with the configuration they give.
   */
  private static StartingModels readModels(WorkerConfig config, ModelSource source, UploadedModelFiles uploads,
      Map<String, WantedModel> wanted) {
    for (WantedModel w : wanted.values()) { // models uploaded through the API, in the repository before it is read
      if (w.loaded() && !w.files().isEmpty() && uploads != null && config.models().isEmpty()) {
        try {
          uploads.install(source.directoryOf(w.name()), w.files());
        } catch (RuntimeException | IOException e) {
          LOG.warn("model '{}': its uploaded files could not be put in the repository: {}", w.name(), e.getMessage());
        }
      }
    }
    List<ModelDefinition> all = source.scan();
    List<ModelDefinition> models = new ArrayList<>();
    List<ModelDefinition> unloaded = new ArrayList<>();
    boolean placed = config.control().mode() == ModelControlConfig.Mode.PLACED; // placement chooses, later
    for (ModelDefinition m : all) {
      WantedModel w = wanted.get(m.name());
      if (!placed && (w == null ? config.control().loadsAtStart(m.name()) : w.loaded())) {
        models.add(w == null || w.config() == null ? m : source.find(m.name(), w.config()).orElse(m));
      } else {
        unloaded.add(m);
      }
    }
    String where = config.models().isEmpty()
        ? "model repository " + config.modelRepository().toAbsolutePath().normalize() : "base paths";
    LOG.info("{}: {}; loading {} ({} mode)", where, all.stream().map(ModelDefinition::name).toList(),
        models.stream().map(ModelDefinition::name).toList(), config.control().mode().name().toLowerCase());
    return new StartingModels(models, unloaded);
  }

  /** The repository's models a worker loads at start, and those it lists as unloaded (not asked for, or unloaded). */
  private record StartingModels(List<ModelDefinition> load, List<ModelDefinition> unloaded) {}
}
