package io.maas.gateway.http;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.placement.PlacementView;
import io.maas.gateway.repository.LoadParameters;
import io.maas.gateway.repository.RepositoryControl;
import io.maas.gateway.tenancy.Caller;
import io.maas.gateway.tenancy.Scopes;
import io.maas.model.ModelNames;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KServe / Triton repository extension's model control, for the whole cluster:
 * {@code POST /v2/repository/models/{m}/load} (optional body {@code {"parameters": {"config": "<model
 * configuration as JSON>", "file:1/model.onnx": "<base64>"}}}: files uploaded into the model's directory on every
 * worker, with the configuration to serve them with) and {@code POST /v2/repository/models/{m}/unload}. Both answer
 * 200 with an empty body once every worker holding the model made the change, as Triton does. Administrative: the
 * admin token, an API key with the {@code repository} scope, or anyone when API keys are off; other keys get 403.
 * Not metered as inference: no rate-limit token is taken and no usage counted.
 */
public final class RepositoryRoutes implements RestRoutes {
  private final RepositoryControl control;
  /** A load may upload model files: its body is read as inference bodies are (size limit, memory budget). */
  private final RequestBodies bodies;

  /** Placement's account of each worker; null: not served. */
  private final PlacementView placement;

  public RepositoryRoutes(RepositoryControl control, RequestBodies bodies) {
    this(control, bodies, null);
  }

  public RepositoryRoutes(RepositoryControl control, RequestBodies bodies, PlacementView placement) {
    this.control = control;
    this.bodies = bodies;
    this.placement = placement;
  }

  @Override
  public void mount(Router router) {
    router.post("/v2/repository/models/:model/load").handler(bodies.reader()).handler(this::load);
    router.post("/v2/repository/models/:model/unload").handler(bodies.reader()).handler(this::unload);
    if (placement != null) {
      router.get("/v2/repository/placement").handler(this::placement);
    }
  }

  /** maas's extension: per worker, its budget, what it holds and what placement did there (docs/placement.md). */
  private void placement(RoutingContext ctx) {
    authorize(ctx, "see placement");
    placement.render().onSuccess(view -> ctx.response().putHeader("Content-Type", "application/json")
        .end(view.encode())).onFailure(ctx::fail);
  }

  private void load(RoutingContext ctx) {
    authorize(ctx);
    JsonObject parameters = parameters(ctx.body().buffer());
    Map<String, Object> values = new LinkedHashMap<>();
    parameters.fieldNames().forEach(name -> values.put(name, parameters.getValue(name))); // objects as JsonObject
    LoadParameters load = LoadParameters.of(values);
    answer(ctx, control.load(ModelNames.check(ctx.pathParam("model")), load.config(), load.files(), load.policy()));
  }

  private void unload(RoutingContext ctx) {
    authorize(ctx);
    parameters(ctx.body().buffer()); // unload_dependents and the like: models have no dependents here
    answer(ctx, control.unload(ModelNames.check(ctx.pathParam("model"))));
  }

  private static void authorize(RoutingContext ctx) {
    authorize(ctx, "load or unload models");
  }

  private static void authorize(RoutingContext ctx, String what) {
    Caller caller = RestAuth.caller(ctx);
    if (!caller.mayManageRepository()) {
      throw new MaasException(ErrorCode.PERMISSION_DENIED, "API key maas_" + caller.key().id()
          + " may not " + what + ": that needs the '" + Scopes.REPOSITORY + "' scope, or the admin token");
    }
  }

  /** The body's {@code parameters}: an empty body has none. */
  private static JsonObject parameters(Buffer body) {
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    JsonObject json = V2Json.parseObject(body);
    Object p = json.getValue("parameters");
    if (p != null && !(p instanceof JsonObject)) {
      throw MaasException.invalid("'parameters' must be an object");
    }
    return p == null ? new JsonObject() : (JsonObject) p;
  }

  private static void answer(RoutingContext ctx, Future<?> change) {
    change.onSuccess(done -> ctx.response().setStatusCode(200).end()).onFailure(ctx::fail);
  }
}
