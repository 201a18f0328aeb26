package io.maas.gateway.http;

import io.maas.error.MaasException;
import io.maas.gateway.routing.ModelView;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.gateway.stats.ClusterStatistics;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KServe/Triton statistics extension, summed over every worker holding the model:
 * <pre>
 * GET /v2/models/stats                                   every model version
 * GET /v2/models/{model}/stats                           every version of a model
 * GET /v2/models/{model}/versions/{version}/stats        one version
 * </pre>
 * The answer is Triton's {@code {"model_stats": [...]}} plus {@code maas_workers}: how many workers were
 * asked and how many answered in time (those that did not are left out of the sums). Mount it ahead of
 * {@link V2Routes}, whose {@code /v2/models/:model} would take {@code /v2/models/stats}.
 */
public final class StatsRoutes implements RestRoutes {
  private final WorkerRegistry registry;
  private final ClusterStatistics statistics;

  public StatsRoutes(WorkerRegistry registry, ClusterStatistics statistics) {
    this.registry = registry;
    this.statistics = statistics;
  }

  @Override
  public void mount(Router router) {
    router.get("/v2/models/stats").handler(this::stats);
    router.get("/v2/models/:model/stats").handler(this::stats);
    router.get("/v2/models/:model/versions/:version/stats").handler(this::stats);
  }

  private void stats(RoutingContext ctx) {
    String model = ctx.pathParam("model") == null ? "" : ctx.pathParam("model");
    String version = RestRequests.version(ctx);
    Map<String, List<String>> expected = expected(model, version);
    statistics.collect(model, version, expected)
        .onSuccess(s -> ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject()
            .put("model_stats", new JsonArray(s.modelStats()))
            .put("maas_workers", new JsonObject().put("asked", s.asked()).put("answered", s.answered()))
            .toBuffer()))
        .onFailure(ctx::fail);
  }

  /**
   * The model versions the answer covers, zeros when they had no traffic.
   *
   * @throws MaasException NOT_FOUND for a model, or a version, no worker ever announced
   */
  private Map<String, List<String>> expected(String model, String version) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (model.isEmpty()) {
      registry.models().values().forEach(view -> out.put(view.name(), readyVersions(view)));
      return out;
    }
    ModelView view = registry.model(model).orElseThrow(() -> MaasException.notFound("unknown model '%s'", model));
    if (version.isEmpty()) {
      out.put(model, readyVersions(view));
    } else if (view.knows(version) || view.statuses().isEmpty()) {
      out.put(model, List.of(version));
    } else {
      throw MaasException.notFound("unknown version %s of model '%s'; versions: %s", version, model,
          view.statuses().stream().map(ModelStatus::version).filter(v -> !v.isEmpty()).distinct().sorted().toList());
    }
    return out;
  }

  private static List<String> readyVersions(ModelView view) {
    return view.readyVersions();
  }
}
