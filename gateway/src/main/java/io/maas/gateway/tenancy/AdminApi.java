package io.maas.gateway.tenancy;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.edge.Credentials;
import io.maas.gateway.http.RestErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;
import java.util.List;
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
 */
public final class AdminApi {
  private static final int MAX_BODY = 64 * 1024;
  private final KeyStore store;
  private final UsageMeter usage;
  private final AdminToken adminToken;
  private final SecureRandom random;

  AdminApi(KeyStore store, UsageMeter usage, AdminToken adminToken, SecureRandom random) {
    this.store = store;
    this.usage = usage;
    this.adminToken = adminToken;
    this.random = random;
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(this::checkToken);
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
    router.post("/admin/keys").handler(ctx -> reply(ctx, 201, create(ctx.body().asJsonObject())));
    router.get("/admin/keys").handler(ctx -> reply(ctx, 200, store.list().map(keys -> new JsonObject()
        .put("keys", new JsonArray(keys.stream().map(ApiKey::toPublicJson).toList())))));
    router.get("/admin/keys/:id").handler(ctx -> reply(ctx, 200, find(ctx).map(ApiKey::toPublicJson)));
    router.patch("/admin/keys/:id").handler(ctx -> reply(ctx, 200,
        find(ctx).compose(k -> save(apply(k, ctx.body().asJsonObject())))));
    router.delete("/admin/keys/:id").handler(ctx -> reply(ctx, 200,
        find(ctx).compose(k -> save(apply(k, new JsonObject().put("enabled", false))))));
    router.get("/admin/keys/:id/usage").handler(ctx -> reply(ctx, 200, find(ctx).compose(k -> store.usage(k.id())
        .map(u -> usage.withUnpublished(k.id(), u)).map(u -> new JsonObject().put("id", k.id()).put("name", k.name()).put("usage", usageJson(u))))));
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
    if (!adminToken.matches(Credentials.bearer(ctx.request().getHeader(Credentials.AUTHORIZATION)))) {
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
    String id = ctx.pathParam("id");
    String bare = id.startsWith(ApiKeys.PREFIX) ? id.substring(ApiKeys.PREFIX.length()) : id;
    return store.get(bare).map(k -> k.orElseThrow(() -> MaasException.notFound("no API key with id '%s'", bare)));
  }

  private Future<JsonObject> save(ApiKey k) {
    return store.put(k).map(v -> k.toPublicJson());
  }

  /** Creates a key from a JSON body; the answer is the only place its secret ever appears. */
  Future<JsonObject> create(JsonObject body) {
    JsonObject b = body == null ? new JsonObject() : body;
    ApiKeys.NewKey fresh = ApiKeys.generate(random);
    long now = System.currentTimeMillis();
    ApiKey key = apply(new ApiKey(fresh.id(), fresh.secretHash(), "", "", List.of("*"), Scopes.DEFAULT, 10, 20, 0,
        QueueShare.DEFAULT, 0, true, now, now), b);
    return store.put(key).map(v -> key.toPublicJson().put("key", fresh.token()));
  }

  /** A key with the fields of a create or update body applied, checked. */
  static ApiKey apply(ApiKey k, JsonObject b) {
    try {
      List<String> models = b.containsKey("models") ? b.getJsonArray("models").stream().map(String.class::cast).toList()
          : k.models();
      List<String> scopes = b.containsKey("scopes")
          ? Scopes.checked(b.getJsonArray("scopes").stream().map(String.class::cast).toList()) : k.scopes();
      double rate = b.containsKey("rate_per_second") ? b.getNumber("rate_per_second").doubleValue() : k.ratePerSecond();
      long burst = b.containsKey("burst") ? b.getLong("burst") : b.containsKey("rate_per_second")
          && !b.containsKey("burst") && k.burst() < Math.ceil(rate) ? (long) Math.ceil(rate) : k.burst();
      long quota = b.containsKey("daily_quota") ? b.getLong("daily_quota") : k.dailyQuota();
      long expires = b.containsKey("expires_at") ? b.getLong("expires_at") : k.expiresAt();
      if (models.isEmpty() || models.size() > 1000 || models.stream().anyMatch(m -> m.isEmpty() || m.length() > 256)) {
        throw MaasException.invalid("models must be a non-empty list of model names, or [\"*\"]");
      }
      if (!(rate > 0 && rate <= 1_000_000) || burst < 1 || burst > 10_000_000 || quota < 0 || expires < 0) {
        throw MaasException.invalid("rate_per_second must be in (0, 1e6], burst in [1, 1e7], daily_quota and expires_at >= 0");
      }
      QueueShare share = new QueueShare(
          b.containsKey("weight") ? weight(b.getValue("weight")) : k.queueShare().weight(),
          b.containsKey("max_priority") ? level("max_priority", b.getValue("max_priority")) : k.queueShare().maxPriority(),
          b.containsKey("default_priority") ? level("default_priority", b.getValue("default_priority"))
              : k.queueShare().defaultPriority());
      String name = b.getString("name", k.name());
      String owner = b.getString("owner", k.owner());
      if (name.length() > 256 || owner.length() > 256) {
        throw MaasException.invalid("name and owner take at most 256 characters");
      }
      return new ApiKey(k.id(), k.secretHash(), name, owner, models, scopes, rate, burst, quota, share, expires,
          b.getBoolean("enabled", k.enabled()), k.createdAt(), Math.max(System.currentTimeMillis(), k.updatedAt() + 1));
    } catch (ClassCastException | NullPointerException e) {
      throw MaasException.invalid("a field of the body has the wrong type");
    }
  }

  /** A key's weight in the workers' fair queues: a finite number above 0. */
  private static double weight(Object v) {
    if (v instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    throw MaasException.invalid("weight must be a finite number above 0 (1 unless set), not %s", v);
  }

  /** A priority level field: an integer, 0 or more (0: any level, or the model's default). */
  private static int level(String field, Object v) {
    if (v instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= Integer.MAX_VALUE
        && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.intValue();
    }
    throw MaasException.invalid("%s must be an integer, 0 or more (0: %s), not %s", field,
        field.equals("max_priority") ? "any level" : "the model's default level", v);
  }

  /**
   * A key's counters as the admin API shows them: {@code requests} = {@code successes} + {@code cancelled} +
   * {@code timed_out} + the {@code failures} by reason; {@code queue_wait} sums the time its answered requests
   * waited in workers' queues.
   */
  static JsonObject usageJson(Map<String, Long> u) {
    JsonObject out = new JsonObject().put("requests", 0L).put("successes", 0L).put("inferences", 0L).put("tokens", 0L)
        .put(UsageMeter.CANCELLED, 0L).put(UsageMeter.TIMED_OUT, 0L);
    JsonObject failures = new JsonObject();
    JsonObject queueWait = new JsonObject()
        .put("sum_micros", u.getOrDefault(UsageMeter.QUEUE_WAIT_SUM, 0L))
        .put("count", u.getOrDefault(UsageMeter.QUEUE_WAIT_COUNT, 0L));
    u.forEach((k, v) -> {
      if (k.startsWith("failures.")) {
        failures.put(k.substring(9), v);
      } else if (!k.startsWith("queue_wait_")) {
        out.put(k, v);
      }
    });
    return out.put("failures", failures).put("queue_wait", queueWait);
  }
}
