package io.maas.worker.lifecycle;

import io.maas.error.MaasException;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.device.ServedModel;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.stats.ModelMetrics;
import io.maas.worker.stats.ModelObservers;
import io.maas.worker.stats.ModelStatistics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions one worker slot holds, one {@link ModelVersion} each, and their states: LOADING, then
 * READY or UNAVAILABLE with the reason (Triton's {@code model_lifecycle}). It loads, finds and closes them;
 * the worker verticle only wires it to the event bus. Confined to the verticle's event loop: not thread-safe.
 */
public final class ModelLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(ModelLifecycle.class);

  private final String workerId;
  private final MeterRegistry meters;
  private final Runnable changed;
  /** Model name -> version -> its state and, once loaded, what serves it. */
  private final Map<String, Map<String, ModelVersion>> models = new LinkedHashMap<>();

  /**
   * @param meters where each loaded version's meters go
   * @param changed called after every state change (the worker announces its models again)
   */
  public ModelLifecycle(String workerId, MeterRegistry meters, Runnable changed) {
    this.workerId = workerId;
    this.meters = meters;
    this.changed = changed;
  }

  /**
   * Lists the definitions' versions as LOADING; a definition that could not be read is listed UNAVAILABLE
   * with its reason, under the empty version.
   */
  public void declare(List<ModelDefinition> definitions) {
    for (ModelDefinition m : definitions) {
      Map<String, ModelVersion> versions = models.computeIfAbsent(m.name(), k -> new LinkedHashMap<>());
      if (!m.error().isEmpty()) {
        versions.put("", ModelVersion.of(ModelStatus.loading(m.name(), "").withState(ModelReadyState.UNAVAILABLE, m.error())));
      }
      m.versionNumbers().forEach(v -> versions.put(Long.toString(v), ModelVersion.of(ModelStatus.loading(m.name(), Long.toString(v)))));
    }
  }

  /** Loads every version of these definitions on the device; completes when each is READY or UNAVAILABLE. */
  public Future<Void> loadAll(DeviceSlot device, List<ModelDefinition> definitions) {
    List<Future<Void>> loads = new ArrayList<>();
    for (ModelDefinition definition : definitions) {
      for (long v : definition.versionNumbers()) {
        loads.add(load(device, definition, Long.toString(v)));
      }
    }
    return Future.join(loads).mapEmpty();
  }

  private Future<Void> load(DeviceSlot device, ModelDefinition definition, String version) {
    String name = definition.name();
    ModelStatistics statistics = new ModelStatistics();
    ModelMetrics metrics = new ModelMetrics(meters, name, version, workerId);
    return device.load(definition, Long.parseLong(version), ModelObservers.both(statistics, metrics))
        .onSuccess(model -> {
          metrics.watchQueue(model::queued);
          put(new ModelVersion(new ModelStatus(name, version, ModelReadyState.READY, "", "onnxruntime_onnx",
              model.signature().maxBatchSize(), model.signature().inputs(), model.signature().outputs(),
              model.signature().text()), model, statistics, metrics));
          LOG.info("model {} version {} READY on {} ({} instance(s))", name, version, device.device(), model.instanceCount());
        })
        .onFailure(e -> {
          metrics.close();
          put(ModelVersion.of(ModelStatus.loading(name, version).withState(ModelReadyState.UNAVAILABLE, e.getMessage())));
          LOG.warn("model {} version {} UNAVAILABLE: {}", name, version, e.getMessage());
        })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private void put(ModelVersion version) {
    models.computeIfAbsent(version.status().name(), k -> new LinkedHashMap<>()).put(version.status().version(), version);
    changed.run();
  }

  /**
   * The model serving a request: the version it names, or the highest version serving.
   *
   * @throws MaasException NOT_FOUND for a model or version this slot does not hold, UNAVAILABLE for one
   *     it holds that is not ready
   */
  public ServedModel find(String model, String version) {
    Map<String, ModelVersion> versions = models.get(model);
    if (versions == null) {
      throw MaasException.notFound("model '%s' is not held by worker %s", model, workerId);
    }
    if (version.isEmpty()) {
      return versions.values().stream().filter(ModelVersion::isServing)
          .max(Comparator.comparingLong(v -> Long.parseLong(v.status().version())))
          .orElseThrow(() -> MaasException.unavailable("model '%s' is not ready on worker %s", model, workerId))
          .served();
    }
    return Optional.ofNullable(versions.get(version)).filter(ModelVersion::isServing).map(ModelVersion::served)
        .orElseThrow(() -> versions.values().stream().noneMatch(ModelVersion::isServing)
            ? MaasException.unavailable("model '%s' is not ready on worker %s", model, workerId)
            : MaasException.notFound("model '%s' version %s is not loaded on worker %s", model, version, workerId));
  }

  /** Every version's state, as announced to the gateways. */
  public List<ModelStatus> statuses() {
    List<ModelStatus> all = new ArrayList<>();
    models.values().forEach(versions -> versions.values().forEach(v -> all.add(v.status())));
    return all;
  }

  /** The KServe {@code model_stats} of the loaded versions: all, or those of a model (and version); "" for any. */
  public JsonArray statistics(String model, String version) {
    JsonArray out = new JsonArray();
    models.forEach((name, versions) -> versions.forEach((v, m) -> {
      if (m.statistics() != null && (model.isEmpty() || model.equals(name)) && (version.isEmpty() || version.equals(v))) {
        out.add(m.statistics().toJson(name, v));
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
    models.values().forEach(versions -> versions.values().stream().filter(v -> v.metrics() != null)
        .forEach(v -> v.metrics().close()));
  }
}
