package io.maas.gateway.repository;

import io.maas.error.MaasException;
import io.maas.gateway.routing.ModelView;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.model.ModelPolicy;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A load's traffic weights and version labels may name only versions that are loaded: READY on some worker. When
 * every worker holding the model is placed ({@code worker.model_control_mode: placed}), a version some worker's
 * repository merely holds (in any state, "unloaded" included) is taken too: placement loads it on demand. Checked
 * before the load changes anything, so a refused load leaves the model's policy as it was.
 */
final class PolicyVersions {
  private PolicyVersions() {}

  /**
   * @param workers every worker in the routing table
   * @param config the load's {@code config} parameter, or null: its traffic and labels are checked where the
   *     parameters do not replace them
   * @param policy the load's {@code replicas}, {@code traffic} and {@code version_labels} parameters
   * @throws MaasException INVALID_ARGUMENT naming the parameter and the version
   */
  static void check(Collection<WorkerEndpoint> workers, String model, JsonObject config, ModelPolicy policy) {
    ModelPolicy configured;
    try {
      configured = config == null ? ModelPolicy.NONE : ModelPolicy.fromJson(config);
    } catch (IllegalArgumentException e) {
      throw MaasException.invalid("parameter 'config': %s", e.getMessage());
    }
    List<ModelStatus> statuses = new ArrayList<>();
    boolean placed = true;
    for (WorkerEndpoint w : workers) {
      int before = statuses.size();
      w.announcement().models().stream().filter(s -> s.name().equals(model)).forEach(statuses::add);
      if (statuses.size() > before && !w.announcement().resources().placed()) {
        placed = false;
      }
    }
    if (statuses.isEmpty()) {
      return; // no worker holds the model: the load answers that (404)
    }
    ModelView view = new ModelView(model, statuses);
    boolean trafficSet = !policy.traffic().isEmpty();
    boolean labelsSet = !policy.labels().isEmpty();
    String trafficFrom = trafficSet ? "" : "parameter 'config': ";
    for (String version : (trafficSet ? policy : configured).traffic().keySet()) {
      loaded(view, placed, version, trafficFrom + "traffic names version " + version);
    }
    String labelsFrom = labelsSet ? "version_labels: " : "parameter 'config': version_labels: ";
    for (Map.Entry<String, String> label : (labelsSet ? policy : configured).labels().entrySet()) {
      loaded(view, placed, label.getValue(), labelsFrom + "label '" + label.getKey() + "' names version "
          + label.getValue());
    }
  }

  private static void loaded(ModelView view, boolean placed, String version, String what) {
    if (view.isReady(version) || placed && view.knows(version)) {
      return;
    }
    if (placed) {
      throw MaasException.invalid("%s of model '%s', which no worker's repository holds; versions: %s", what,
          view.name(), view.knownVersions());
    }
    throw MaasException.invalid("%s of model '%s', which is not loaded; loaded: %s", what, view.name(),
        view.readyVersions());
  }
}
