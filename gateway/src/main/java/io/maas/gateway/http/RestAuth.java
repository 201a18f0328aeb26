package io.maas.gateway.http;

import io.maas.gateway.edge.Credentials;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.tenancy.ApiKey;
import io.maas.gateway.tenancy.Caller;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The REST edge's key check, ahead of every route but the health probes: {@code Authorization: Bearer <key>}
 * or {@code X-API-Key: <key>}; the repository API's load and unload also take the admin token. The authenticated
 * {@link Caller} rides on the routing context; the inference routes hand it to the pipeline ({@link #caller}), which
 * checks the key's scope, the model and the rate limit; the repository API asks {@link Caller#mayManageRepository}.
 */
public final class RestAuth {
  private static final String CALLER = "maas.caller";
  private static final Set<String> OPEN = Set.of("/v2/health/live", "/v2/health/ready");
  /** The routes that take the admin token as well as API keys: the repository API's load and unload. */
  private static final Pattern ADMINISTRATIVE = Pattern.compile("/v2/repository/(models/[^/]+/(load|unload)|placement)");

  private RestAuth() {}

  /**
   * Routes ahead of every API: authenticates, or fails the request with 401. With keys off ({@link Admission#OPEN})
   * it mounts nothing, so that requests pay for no check: every caller is {@link Caller#ANONYMOUS}.
   */
  public static void mount(io.vertx.ext.web.Router router, Admission admission) {
    if (admission.isOpen()) {
      return;
    }
    router.route().order(-1000).handler(ctx -> {
      if (OPEN.contains(ctx.normalizedPath())) {
        ctx.next();
        return;
      }
      String token = Credentials.from(ctx.request()::getHeader);
      if (ADMINISTRATIVE.matcher(ctx.normalizedPath()).matches() && admission.isAdmin(token)) {
        ctx.put(CALLER, Caller.ADMIN);
        ctx.next();
        return;
      }
      Future<ApiKey> key = admission.authenticate(token);
      if (key.isComplete()) { // the usual case: the key was in this gateway's view
        admitted(ctx, key);
        return;
      }
      // the body waits (paused) while the key is looked up; the body handler of the route reads it after
      ctx.request().pause();
      key.onComplete(ar -> {
        admitted(ctx, key);
        ctx.request().resume();
      });
    });
  }

  private static void admitted(RoutingContext ctx, Future<ApiKey> key) {
    if (key.succeeded()) {
      ctx.put(CALLER, new Caller(key.result(), limit -> limit.headers(ctx.response()::putHeader)));
      ctx.next();
    } else {
      ctx.fail(key.cause());
    }
  }

  /** The request's caller: its key, or {@link Caller#ANONYMOUS} when keys are off. */
  public static Caller caller(RoutingContext ctx) {
    Caller c = ctx.get(CALLER);
    return c == null ? Caller.ANONYMOUS : c;
  }
}
