package io.maas.gateway.http.admin;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.edge.Credentials;
import io.maas.gateway.http.RestErrors;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.tenancy.ApiKey;
import io.maas.gateway.tenancy.KeyAdmin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;

/**
 * The admin API (its own port and bind address), JSON, behind {@code Authorization: Bearer <admin token>}:
 * <pre>
 * POST   /admin/keys            create; the answer holds the key ("key") once, never again
 * GET    /admin/keys            list (ids and settings, no secrets)
 * GET    /admin/keys/:id        one key
 * PATCH  /admin/keys/:id        change name, owner, models, scopes, rate_per_second, burst, daily_quota, expires_at,
 *                              enabled, weight, max_priority, default_priority
 * DELETE /admin/keys/:id        revoke (the key stays listed, disabled)
 * GET    /admin/keys/:id/usage  its usage counters
 * </pre>
 * What each route does with the keys is {@link KeyAdmin}'s; this class is only their web form, with the REST edge's
 * failure handler ({@link RestErrors}).
 */
public final class AdminApi {
  private static final int MAX_BODY = 64 * 1024;
  private final KeyAdmin keys;

  public AdminApi(KeyAdmin keys) {
    this.keys = keys;
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(this::checkToken);
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
    router.post("/admin/keys").handler(ctx -> reply(ctx, 201, keys.create(ctx.body().asJsonObject())));
    router.get("/admin/keys").handler(ctx -> reply(ctx, 200, keys.list()));
    router.get("/admin/keys/:id").handler(ctx -> reply(ctx, 200, find(ctx).map(ApiKey::toPublicJson)));
    router.patch("/admin/keys/:id").handler(ctx -> reply(ctx, 200,
        find(ctx).compose(k -> keys.update(k, ctx.body().asJsonObject()))));
    router.delete("/admin/keys/:id").handler(ctx -> reply(ctx, 200,
        find(ctx).compose(k -> keys.update(k, new JsonObject().put("enabled", false)))));
    router.get("/admin/keys/:id/usage").handler(ctx -> reply(ctx, 200, find(ctx).compose(keys::usage)));
    // the REST edge's one failure handler, with the key API's own words for a body or a path it cannot read;
    // a request Vert.x refused before any route (no Host header: 400) is the client's, never an internal error
    router.route().failureHandler(ctx -> {
      if (ctx.failure() instanceof io.vertx.core.json.DecodeException || ctx.failure() instanceof ClassCastException) {
        RestErrors.write(ctx, MaasException.invalid("malformed JSON body"));
      } else if (ctx.failure() == null && ctx.statusCode() == 404) {
        RestErrors.write(ctx, MaasException.notFound("no such admin endpoint"));
      } else if (ctx.failure() == null && ctx.statusCode() == 413) {
        RestErrors.write(ctx, new MaasException(ErrorCode.PAYLOAD_TOO_LARGE, "body over " + MAX_BODY + " bytes"));
      } else {
        RestErrors.handle(ctx);
      }
    });
    return router;
  }

  private void checkToken(RoutingContext ctx) {
    if (!keys.tokenMatches(Credentials.bearer(ctx.request().getHeader(Credentials.AUTHORIZATION)))) {
      ctx.fail(new MaasException(ErrorCode.UNAUTHENTICATED, "missing or wrong admin token")
          .withMetadata(Map.of(Admission.WWW_AUTHENTICATE, "Bearer")));
      return;
    }
    ctx.next();
  }

  private static void reply(RoutingContext ctx, int status, Future<JsonObject> body) {
    body.onSuccess(b -> ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(b.encodePrettily())).onFailure(ctx::fail);
  }

  private Future<ApiKey> find(RoutingContext ctx) {
    return keys.find(ctx.pathParam("id"));
  }
}
