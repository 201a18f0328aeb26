package io.maas.gateway.routing;

import io.maas.model.ModelPolicy;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each model's effective policy (replicas, traffic weights, version labels): its configuration's, as the workers
 * announce it with the model's statuses (a READY version's first), overridden field by field by what the repository
 * API set ({@code WantedModel.policy} in the cluster map, which this gateway follows locally through
 * {@link #wanted}: a request never reads Hazelcast). The effective policy is kept per model and worked out again only
 * when the announced sections or the wanted policy change, so asking costs a few comparisons.
 */
public final class ModelPolicies {
  private static final Logger LOG = LoggerFactory.getLogger(ModelPolicies.class);

  private final Function<String, Optional<ModelView>> models;
  /** What the repository API set, by model: the cluster map's, as its listener reports it. */
  private final Map<String, ModelPolicy> wanted = new ConcurrentHashMap<>();
  private final Map<String, Effective> effective = new ConcurrentHashMap<>();

  /** @param models the model's view by name (the registry's) */
  public ModelPolicies(Function<String, Optional<ModelView>> models) {
    this.models = models;
  }

  /** The model's effective policy; {@link ModelPolicy#NONE} for a model nobody set one for. */
  public ModelPolicy policyOf(String model) {
    return models.apply(model).map(this::policyOf).orElseGet(() -> wanted.getOrDefault(model, ModelPolicy.NONE));
  }

  /** The model's effective policy, given its view. */
  public ModelPolicy policyOf(ModelView view) {
    JsonObject config = announcedConfig(view);
    ModelPolicy set = wanted.get(view.name());
    Effective known = effective.get(view.name());
    if (known != null && known.set == set && known.sameSections(config)) {
      return known.policy;
    }
    Effective now = new Effective(config, set, fromConfig(view.name(), config).overriddenBy(set));
    effective.put(view.name(), now);
    return now.policy;
  }

  /**
   * What the repository API set for a model now (the cluster map's entry changed, or this gateway just wrote it).
   *
   * @param policy {@link ModelPolicy#NONE} or null: nothing set, the configuration's policy applies
   */
  public void wanted(String model, ModelPolicy policy) {
    if (policy == null || policy.isEmpty()) {
      wanted.remove(model);
    } else {
      wanted.put(model, policy);
    }
  }

  /** The configuration a READY version was announced with, else any announced one; null when none was. */
  private static JsonObject announcedConfig(ModelView view) {
    JsonObject any = null;
    for (ModelStatus s : view.statuses()) {
      if (s.isReady() && !s.config().isEmpty()) {
        return s.config();
      }
      if (any == null && !s.config().isEmpty()) {
        any = s.config();
      }
    }
    return any;
  }

  private static ModelPolicy fromConfig(String model, JsonObject config) {
    try {
      return ModelPolicy.fromJson(config);
    } catch (IllegalArgumentException e) {
      // a worker refuses such a configuration; one announced anyway (another maas version) is read as none
      LOG.warn("model '{}' was announced with a policy that cannot be read, ignored: {}", model, e.getMessage());
      return ModelPolicy.NONE;
    }
  }

  /** A model's effective policy and what it was worked out from. */
  private record Effective(JsonObject config, ModelPolicy set, ModelPolicy policy) {
    private static final String[] SECTIONS = {"replicas", "traffic", "version_labels"};

    /** Whether another announced configuration holds the same policy sections (most often: the same object). */
    boolean sameSections(JsonObject other) {
      if (config == other) {
        return true;
      }
      if (config == null || other == null) {
        return false;
      }
      for (String section : SECTIONS) {
        if (!Objects.equals(config.getValue(section), other.getValue(section))) {
          return false;
        }
      }
      return true;
    }
  }
}
