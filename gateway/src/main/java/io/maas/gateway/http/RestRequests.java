package io.maas.gateway.http;

import io.maas.error.MaasException;
import io.maas.gateway.edge.RequestIds;
import io.maas.gateway.routing.VersionChoice;
import io.maas.model.ModelPolicy;
import io.vertx.ext.web.RoutingContext;

/**
 * What every REST API reads the same way from a request: its request id and the model version asked for (a number;
 * on KServe V2 routes a version label too; on TF Serving's {@code /labels/} routes a label).
 */
public final class RestRequests {
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  private RestRequests() {}

  /** The client's {@code X-Request-Id} if {@link RequestIds#accept} keeps it, else a fresh one; echoed back. */
  public static String requestId(RoutingContext ctx) {
    String id = RequestIds.accept(ctx.request().getHeader(REQUEST_ID_HEADER));
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

  /**
   * The {@code version} path parameter as KServe V2 routes take it: a canonical decimal, a version label (resolved
   * later, by the model's policy), or "" when the path names none.
   */
  public static String versionOrLabel(RoutingContext ctx) {
    String v = ctx.pathParam("version");
    return v == null ? "" : VersionChoice.requested(v);
  }

  /** The {@code label} path parameter (TF Serving's {@code /labels/{label}}), or "" when the path names none. */
  public static String label(RoutingContext ctx) {
    String label = ctx.pathParam("label");
    if (label == null) {
      return "";
    }
    if (!ModelPolicy.isLabel(label)) {
      throw MaasException.invalid("'%s' is not a version label: a letter, then letters, digits, '_', '.' or '-'",
          label.length() > 40 ? label.substring(0, 40) + "..." : label);
    }
    return label;
  }
}
