package io.maas.gateway.http.simple;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.gateway.http.JsonTensors;
import io.maas.gateway.http.NamedJsonInputs;
import io.maas.gateway.http.RequestBodies;
import io.maas.gateway.http.RestAuth;
import io.maas.gateway.http.RestRequests;
import io.maas.gateway.http.RestRoutes;
import io.maas.gateway.http.V2Json;
import io.maas.gateway.edge.ClientGone;
import io.vertx.core.Future;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The short call of countless tutorials: {@code POST /{model}/predict} with a JSON object of named input
 * arrays (shapes from the nesting, datatypes from the model), answered with a JSON object of named
 * output arrays nested to their shapes. Errors are the KServe ones.
 */
public final class SimplePredictRoutes implements RestRoutes {
  private final WorkerRegistry registry;
  private final InferencePipeline pipeline;
  private final EdgeLimits limits;
  private final RequestBodies bodies;

  public SimplePredictRoutes(WorkerRegistry registry, InferencePipeline pipeline, EdgeLimits limits,
      RequestBodies bodies) {
    this.registry = registry;
    this.pipeline = pipeline;
    this.limits = limits;
    this.bodies = bodies;
  }

  @Override
  public void mount(Router router) {
    router.post("/:model/predict")
        .handler(bodies.reader())
        .handler(this::predict);
  }

  private void predict(RoutingContext ctx) {
    String requestId = RestRequests.requestId(ctx);
    JsonObject body = V2Json.parseObject(ctx.body().buffer());
    Future<Void> gone = ClientGone.of(ctx);
    pipeline.model(ctx.pathParam("model"), "")
        .compose(model -> pipeline.infer(new InferenceRequest(model.name(), model.version(), null,
            NamedJsonInputs.decode(model, body.getMap(), limits), List.of(), null), requestId, RestAuth.caller(ctx), gone))
        .map(SimplePredictRoutes::encode)
        .onSuccess(json -> ctx.response().putHeader("Content-Type", "application/json").end(json.toBuffer()))
        .onFailure(ctx::fail);
  }

  static JsonObject encode(InferenceResponse r) {
    JsonObject out = new JsonObject();
    r.outputs().forEach(t -> out.put(t.name(), JsonTensors.toNestedJson(t)));
    return out;
  }
}
