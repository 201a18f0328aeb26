package io.maas.gateway.http;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.http.ErrorFormat;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST edge's one failure handler, for every API: writes the error in the format of the API that owns the path
 * ({@link ErrorFormat}: KServe V2's {@code {"error": "..."}}, TF Serving's, OpenAI's, or maas's own with a
 * {@code code}), the code in {@value ErrorFormat#CODE_HEADER} always, {@code Retry-After} on 429 and 503. Only
 * INTERNAL is logged with a stack trace, at ERROR; every other failure (a client's mistake, an overload) in one line
 * at DEBUG.
 */
public final class RestErrors {
  private static final Logger LOG = LoggerFactory.getLogger(RestErrors.class);

  private RestErrors() {}

  /** The failure handler (and the router's error handler): answers the routing context's failure. */
  public static void handle(RoutingContext ctx) {
    MaasException e = toMaas(ctx);
    if (e.code() == ErrorCode.CANCELLED) {
      LOG.debug("request {} {}: {}", ctx.request().method(), ctx.request().path(), e.getMessage());
      return; // nobody to answer
    }
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), e);
    } else {
      LOG.debug("request {} {}: {} {}", ctx.request().method(), ctx.request().path(), e.code(), e.getMessage());
    }
    write(ctx, e);
  }

  /** Answers a failure in the format of the API that owns the request's path. */
  public static void write(RoutingContext ctx, MaasException e) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      ctx.request().connection().close();
      return;
    }
    HttpServerRequest request = ctx.request();
    if (RequestBodies.leftUnread(ctx) && request.version() != HttpVersion.HTTP_2) {
      // answered before its body was read (too large, over the memory budget, stalled): an HTTP/1.1 connection
      // cannot carry another request behind a body left unread. The client connection's guard (edge/) drops what
      // still comes of the body without reading it into memory and closes the connection. (An HTTP/2 stream's
      // unread body is dropped as it comes: RST_STREAM(NO_ERROR) would ask the client to stop sending it, RFC 9113
      // 8.1, but the JDK's client then never completes the exchange.)
      response.putHeader("Connection", "close");
    }
    ErrorFormat.of(ctx.normalizedPath()).respond(response, e);
  }

  /** The failure of a routing context as a maas error. */
  public static MaasException toMaas(RoutingContext ctx) {
    Throwable f = ctx.failure();
    if (f instanceof MaasException m) {
      return m;
    }
    if (f instanceof DecodeException d) {
      return MaasException.invalid("malformed JSON: %s", d.getMessage());
    }
    // the connection closed, or failed under the request (a reset): the client's side went away
    if (ctx.response().closed() || f instanceof HttpClosedException || f instanceof IOException) {
      return new MaasException(ErrorCode.CANCELLED, "the client went away" + (f == null ? "" : " (" + f.getMessage() + ")"));
    }
    return switch (ctx.statusCode()) {
      case 400 -> MaasException.invalid("bad request%s", f == null ? "" : ": " + f.getMessage());
      case 404 -> MaasException.notFound("no such endpoint: %s %s", ctx.request().method(), ctx.request().path());
      case 405 -> new MaasException(ErrorCode.METHOD_NOT_ALLOWED,
          "method " + ctx.request().method() + " is not allowed on " + ctx.request().path());
      case 413 -> new MaasException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is over the size limit");
      case 408 -> new MaasException(ErrorCode.REQUEST_TIMEOUT, "the request body stopped arriving");
      case 417 -> MaasException.invalid("unsupported Expect header: %s", ctx.request().getHeader("Expect"));
      // a path whose escapes do not decode never reaches the router (MalformedRequests.checkingPaths)
      default -> new MaasException(ErrorCode.INTERNAL, "internal error" + (f == null ? "" : ": " + f), f);
    };
  }
}
