package io.maas.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * How every API reads a request body: whole, up to a size limit (413 above it), as bytes its decoder reads as
 * JSON (or the binary tensor extension) whatever content type the client names. A form type, curl -d's
 * default, would otherwise make the body handler decode a form and lose the body.
 */
public final class RequestBodies {
  private RequestBodies() {}

  public static Handler<RoutingContext> upTo(long maxBytes) {
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(maxBytes);
    return ctx -> {
      String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      if (type != null && (type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
          || type.regionMatches(true, 0, "multipart/form-data", 0, 19))) {
        ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
      }
      bodies.handle(ctx);
    };
  }
}
