package io.maas.gateway.http;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.repository.LoadParameters;
import io.maas.gateway.repository.RepositoryControl;
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
 * configuration as JSON>"}}}) and {@code POST /v2/repository/models/{m}/unload}. Both answer 200 with an empty
 * body once every worker holding the model made the change, as Triton does. Administrative: the admin token,
 * or anyone when API keys are off; API keys get 403.
 */
public final class RepositoryRoutes implements RestRoutes {
  /** Bodies here hold at most a configuration (uploaded model files are not taken yet). */
  private static final long MAX_BODY = 1 << 20;

  private final RepositoryControl control;

  public RepositoryRoutes(RepositoryControl control) {
    this.control = control;
  }

  @Override
  public void mount(Router router) {
    router.post("/v2/repository/models/:model/load").handler(RequestBodies.upTo(MAX_BODY)).handler(this::load);
    router.post("/v2/repository/models/:model/unload").handler(RequestBodies.upTo(MAX_BODY)).handler(this::unload);
  }

  private void load(RoutingContext ctx) {
    authorize(ctx);
    JsonObject parameters = parameters(ctx.body().buffer());
    Map<String, Object> values = new LinkedHashMap<>();
    parameters.fieldNames().forEach(name -> values.put(name, parameters.getValue(name))); // objects as JsonObject
    JsonObject config = LoadParameters.config(values);
    answer(ctx, control.load(ctx.pathParam("model"), config));
  }

  private void unload(RoutingContext ctx) {
    authorize(ctx);
    parameters(ctx.body().buffer()); // unload_dependents and the like: models have no dependents here
    answer(ctx, control.unload(ctx.pathParam("model")));
  }

  private static void authorize(RoutingContext ctx) {
    if (!RestAuth.caller(ctx).mayManageRepository()) {
      throw new MaasException(ErrorCode.PERMISSION_DENIED,
          "loading and unloading models needs the admin token (API keys may not)");
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
