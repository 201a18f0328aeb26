package io.maas.gateway.http;

import io.maas.gateway.tenancy.Admission;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.List;

/** The gateway's REST router: every API's routes, then the one failure handler, which answers in each API's format. */
public final class RestRouter {
  private RestRouter() {}

  /** @param admission the API-key check ahead of every route but health; {@link Admission#OPEN}: keys are off */
  public static Router create(Vertx vertx, Admission admission, List<RestRoutes> apis) {
    Router router = Router.router(vertx);
    RestAuth.mount(router, admission);
    apis.forEach(api -> api.mount(router));
    router.route().failureHandler(RestErrors::handle);
    for (int status : new int[] {400, 404, 405, 413, 417, 500}) {
      router.errorHandler(status, RestErrors::handle);
    }
    return router;
  }
}
