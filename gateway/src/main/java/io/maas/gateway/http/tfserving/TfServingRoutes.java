package io.maas.gateway.http.tfserving;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.gateway.edge.ModelQueries;
import io.maas.error.MaasException;
import io.maas.gateway.http.RequestBodies;
import io.maas.gateway.http.RestAuth;
import io.maas.gateway.http.RestRequests;
import io.maas.gateway.http.RestRoutes;
import io.maas.gateway.http.V2Json;
import io.maas.gateway.http.openai.ModelsRoutes;
import io.maas.gateway.edge.ClientGone;
import io.vertx.core.Future;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.routing.ModelView;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TF Serving's REST API: {@code POST /v1/models/{m}[/versions/{v}|/labels/{label}]:predict}, model status
 * {@code GET /v1/models/{m}[/versions/{v}|/labels/{label}]} and {@code GET .../metadata}. The model status is also
 * OpenAI's "retrieve model" ({@code GET /v1/models/{m}}): its body holds OpenAI's model fields ({@code id},
 * {@code object}, {@code created}, {@code owned_by}) beside TF Serving's {@code model_version_status}. A label names a version
 * by the model's {@code version_labels}; one the model does not have is 404 (TF Serving itself answers 400
 * "Unrecognized servable version label"). Errors come as TF Serving writes them, {@code {"error": "..."}}
 * ({@link io.maas.http.ErrorFormat#TF_SERVING}).
 */
public final class TfServingRoutes implements RestRoutes {
  /**
   * The verb follows the model (or version) after a colon, so a plain {@code :param} path cannot hold
   * it: Vert.x would read {@code :predict} as a second parameter.
   */
  static final String VERB_PATH =
      "/v1/models/(?<model>[^/:]+)(?:/versions/(?<version>[^/:]+)|/labels/(?<label>[^/:]+))?:(?<verb>[^/:]+)";
  private static final String MODEL = "/v1/models/:model";
  private static final String VERSION = "/v1/models/:model/versions/:version";
  private static final String LABEL = "/v1/models/:model/labels/:label";

  private final WorkerRegistry registry;
  private final ModelQueries models;
  private final InferencePipeline pipeline;
  private final EdgeLimits limits;
  private final RequestBodies bodies;

  public TfServingRoutes(WorkerRegistry registry, InferencePipeline pipeline, EdgeLimits limits,
      RequestBodies bodies) {
    this.registry = registry;
    this.models = new ModelQueries(registry);
    this.pipeline = pipeline;
    this.limits = limits;
    this.bodies = bodies;
  }

  @Override
  public void mount(Router router) {
    router.postWithRegex(VERB_PATH)
        .handler(bodies.reader())
        .handler(this::predict);
    for (String base : List.of(MODEL, VERSION, LABEL)) {
      router.get(base).handler(this::status);
      router.get(base + "/metadata").handler(this::metadata);
    }
  }

  private void predict(RoutingContext ctx) {
    String requestId = RestRequests.requestId(ctx);
    String verb = ctx.pathParam("verb");
    if (!verb.equals("predict")) {
      throw MaasException.notFound("':%s' is not served here; this server implements ':predict'", verb);
    }
    Future<Void> gone = ClientGone.of(ctx);
    pipeline.model(ctx.pathParam("model"), version(ctx))
        .compose(model -> {
          TfPredict.Decoded decoded = TfPredict.decode(model, ctx.body().buffer(), limits);
          return pipeline.infer(decoded.request(), requestId, RestAuth.caller(ctx), gone)
              .map(r -> TfPredict.encode(r, decoded.format()));
        })
        .onSuccess(body -> json(ctx, body))
        .onFailure(ctx::fail);
  }

  private void status(RoutingContext ctx) {
    String name = ctx.pathParam("model");
    String requested = version(ctx);
    ModelView view = registry.model(name).orElseThrow(() -> MaasException.notFound("unknown model '%s'", name));
    String version = registry.versions().named(view, requested);
    if (!version.isEmpty() && !view.knows(version)) {
      throw MaasException.notFound("unknown version %s of model '%s'", version, name);
    }
    // one entry per version, newest first, as the most advanced worker holds it ("" when no version could
    // be read, e.g. a broken configuration)
    Map<String, ModelStatus> byVersion = new TreeMap<>(
        Comparator.comparingLong((String v) -> v.isEmpty() ? -1 : Long.parseLong(v)).reversed());
    view.statuses().stream()
        .filter(s -> version.isEmpty() || s.version().equals(version))
        .forEach(s -> byVersion.merge(s.version(), s, TfServingRoutes::moreAdvanced));
    // also OpenAI's "retrieve model" (the same path): its fields beside TF Serving's, each client reads its own
    json(ctx, ModelsRoutes.model(name, registry.knownSince(name))
        .mergeIn(TfMetadata.modelStatus(List.copyOf(byVersion.values()))));
  }

  private static ModelStatus moreAdvanced(ModelStatus a, ModelStatus b) {
    return rank(b.state()) > rank(a.state()) ? b : a;
  }

  private static int rank(ModelReadyState s) {
    return switch (s) {
      case READY -> 3;
      case LOADING -> 2;
      case UNLOADING -> 1;
      case UNAVAILABLE -> 0;
    };
  }

  private void metadata(RoutingContext ctx) {
    json(ctx, TfMetadata.metadata(models.served(ctx.pathParam("model"), version(ctx))));
  }

  /** The version the path names: a number ({@code /versions/}), a label ({@code /labels/}), or "" for none. */
  private static String version(RoutingContext ctx) {
    String label = RestRequests.label(ctx);
    return label.isEmpty() ? RestRequests.version(ctx) : label;
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
