package io.maas.gateway.http;

import io.maas.gateway.tenancy.Admission;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.util.List;

/** The gateway's REST router: every API's routes, then the one KServe-style failure handler for the rest. */
public final class RestRouter {
  private RestRouter() {}

  public static Router create(Vertx vertx, List<RestRoutes> apis) {
    return create(vertx, null, apis);
  }

  /** @param admission the API-key check ahead of every route but health; null: keys are off */
  public static Router create(Vertx vertx, Admission admission, List<RestRoutes> apis) {
    Router router = Router.router(vertx);
    // every API reads its body as JSON (or the binary tensor extension) whatever type the client names; a
    // form type (curl -d's default) would make the body handler decode a form and lose the body
    router.route().order(-2000).handler(ctx -> {
      String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      if (type != null && (type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
          || type.regionMatches(true, 0, "multipart/form-data", 0, 19))) {
        ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
      }
      ctx.next();
    });
    if (admission != null) {
      RestAuth.mount(router, admission);
    }
    apis.forEach(api -> api.mount(router));
    // registered last, so that an API's own failure handler on its paths comes first
    router.route().failureHandler(RestErrors::handle);
    for (int status : new int[] {400, 404, 405, 413, 417, 500}) {
      router.errorHandler(status, RestErrors::handle);
    }
    return router;
  }
}
