package io.maas.gateway.http.openai;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.http.RestAuth;
import io.maas.gateway.http.RestRoutes;
import io.maas.gateway.routing.ModelView;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.gateway.tenancy.ApiKey;
import io.maas.gateway.tenancy.Scopes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * OpenAI's {@code GET /v1/models}: {@code {"object": "list", "data": [model, ...]}}, the models the caller may run
 * inference on (its key's models, with the {@code infer} scope; every served model when keys are off). A model is
 * served when a worker holds a READY version of it, or a placed worker can load it on demand. OpenAI's
 * {@code GET /v1/models/{m}} is TF Serving's model status route, whose body carries the same model fields
 * ({@link #model}).
 */
public final class ModelsRoutes implements RestRoutes {
  public static final String PATH = "/v1/models";
  /** OpenAI's {@code owned_by} of every model served here. */
  static final String OWNER = "maas";

  private final WorkerRegistry registry;

  public ModelsRoutes(WorkerRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void mount(Router router) {
    router.get(PATH).handler(this::list);
    router.route(PATH).handler(ctx -> ctx.fail(new MaasException(ErrorCode.METHOD_NOT_ALLOWED,
        "method " + ctx.request().method() + " is not allowed on " + PATH + "; use GET")));
  }

  private void list(RoutingContext ctx) {
    ApiKey key = RestAuth.caller(ctx).key();
    JsonArray data = new JsonArray();
    for (ModelView view : registry.models().values()) { // sorted by name
      if (served(view) && (key == null || key.has(Scopes.INFER) && key.allows(view.name()))) {
        data.add(model(view.name(), registry.knownSince(view.name())));
      }
    }
    ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("object", "list").put("data", data).toBuffer());
  }

  private boolean served(ModelView view) {
    return !view.readyVersions().isEmpty() || registry.placed(view.name());
  }

  /**
   * OpenAI's model object: {@code id} (the model's name), {@code object: "model"}, {@code created} (when this
   * gateway first heard of the model, epoch seconds) and {@code owned_by}.
   */
  public static JsonObject model(String name, long created) {
    return new JsonObject().put("id", name).put("object", "model").put("created", created).put("owned_by", OWNER);
  }
}
