package io.maas.gateway.http;

import io.maas.gateway.stats.ClusterStatistics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The KServe/Triton statistics extension, summed over every worker holding the model:
 * <pre>
 * GET /v2/models/stats                                   every model version
 * GET /v2/models/{model}/stats                           every version of a model
 * GET /v2/models/{model}/versions/{version}/stats        one version (by number or label)
 * </pre>
 * The answer is Triton's {@code {"model_stats": [...]}} plus {@code maas_workers}: how many workers were
 * asked and how many answered in time (those that did not are left out of the sums). Mount it ahead of
 * {@link V2Routes}, whose {@code /v2/models/:model} would take {@code /v2/models/stats}.
 */
public final class StatsRoutes implements RestRoutes {
  private final ClusterStatistics statistics;

  public StatsRoutes(ClusterStatistics statistics) {
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
    statistics.collect(model, RestRequests.versionOrLabel(ctx))
        .onSuccess(s -> ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject()
            .put("model_stats", new JsonArray(s.modelStats()))
            .put("maas_workers", new JsonObject().put("asked", s.asked()).put("answered", s.answered()))
            .toBuffer()))
        .onFailure(ctx::fail);
  }
}
