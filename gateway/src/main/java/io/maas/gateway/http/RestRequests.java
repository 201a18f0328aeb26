package io.maas.gateway.http;

import io.maas.error.MaasException;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** What every REST API reads the same way from a request: its request id and the model version asked for. */
public final class RestRequests {
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  private RestRequests() {}

  /** The client's {@code X-Request-Id} if well formed, else a fresh one; echoed on the response. */
  public static String requestId(RoutingContext ctx) {
    String id = ctx.request().getHeader(REQUEST_ID_HEADER);
    if (id == null || !id.matches("[A-Za-z0-9._:-]{1,128}")) {
      id = UUID.randomUUID().toString();
    }
    ctx.response().putHeader(REQUEST_ID_HEADER, id);
    return id;
  }

  /** The {@code version} path parameter as a canonical decimal, or "" when the path names none. */
  public static String version(RoutingContext ctx) {
    String v = ctx.pathParam("version");
    if (v == null) {
      return "";
    }
    if (!v.matches("\\d{1,18}")) {
      throw MaasException.invalid("version '%s' is not a number", v);
    }
    return Long.toString(Long.parseLong(v));
  }
}
