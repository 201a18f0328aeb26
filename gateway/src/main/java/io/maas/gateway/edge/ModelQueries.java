package io.maas.gateway.edge;

import io.maas.error.MaasException;
import io.maas.gateway.repository.ServedConfig;
import io.maas.gateway.routing.ModelView;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the edges ask of a model without running it: whether it is ready, its metadata and its configuration. One rule
 * each, so that KServe V2 REST and gRPC (and TF Serving's metadata) answer alike; inference goes through the pipeline
 * instead, which resolves the version itself.
 */
public final class ModelQueries {
  private final WorkerRegistry registry;

  public ModelQueries(WorkerRegistry registry) {
    this.registry = registry;
  }

  /**
   * Whether a model, or one version of it, is ready. A version may be named by a label. A model with no version
   * named is ready when some version is READY somewhere.
   *
   * @param model the model's name
   * @param version the version the request names: "", a number or a label
   * @throws MaasException NOT_FOUND for an unknown model or label, and for a version no worker holds while others
   *     hold the model (when no worker holds the model at all, any version is merely not ready)
   */
  public Readiness ready(String model, String version) {
    ModelView view = registry.model(model).orElseThrow(() -> MaasException.notFound("unknown model '%s'", model));
    String named = registry.versions().named(view, version);
    if (!named.isEmpty() && !view.knows(named) && !view.statuses().isEmpty()) {
      throw MaasException.notFound("unknown version %s of model '%s'", named, model);
    }
    boolean ready = named.isEmpty() ? !view.readyVersions().isEmpty() : view.ready(named).isPresent();
    return new Readiness(model, named, ready, ready ? "" : view.notReadyReason(named));
  }

  /**
   * A model's readiness.
   *
   * @param version the version asked about as a number ("" for the model as a whole)
   * @param reason why it is not ready ("" when it is)
   */
  public record Readiness(String model, String version, boolean ready, String reason) {}

  /**
   * The version a request for (model, version) would be served by, for the routes that describe it (its signature,
   * platform, configuration) without running it.
   *
   * @throws MaasException as {@link WorkerRegistry#resolve}
   */
  public ModelStatus served(String model, String version) {
    return registry.resolve(model, version);
  }

  /**
   * A model's metadata: the signature of the version a request for (model, version) would be served by, and every
   * version READY somewhere.
   *
   * @throws MaasException as {@link WorkerRegistry#resolve}
   */
  public Metadata metadata(String model, String version) {
    ModelStatus served = served(model, version);
    return new Metadata(served, registry.model(served.name()).orElseThrow().readyVersions());
  }

  /** @param readyVersions the model's versions READY somewhere, ascending */
  public record Metadata(ModelStatus served, List<String> readyVersions) {}

  /**
   * Triton's model configuration: the version a request for (model, version) would be served by, as configured and
   * auto-completed, with the model's effective replicas, traffic weights and version labels.
   *
   * @throws MaasException as {@link WorkerRegistry#resolve}
   */
  public JsonObject configuration(String model, String version) {
    ModelStatus served = served(model, version);
    return ServedConfig.of(served, registry.policies().policyOf(served.name()));
  }
}
