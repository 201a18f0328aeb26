package io.maas.gateway.http;

import io.maas.config.GatewayConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.edge.BodyBudget;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * How every API reads a request body: whole, as bytes its decoder reads as JSON (or the binary tensor extension)
 * whatever content type the client names, within bounded memory:
 * <ul>
 *   <li>a body whose {@code Content-Length} is over {@code gateway.max_body_bytes} is refused with 413 before a
 *       byte of it is read, and so is one that grows past it (a gzip or deflate body as it inflates: it is never
 *       inflated further);
 *   <li>it reserves its share of the process's {@link BodyBudget} before it is read (its length when known, else
 *       as it grows): one that cannot is refused with 503 and {@code Retry-After}, unread; the share is given back
 *       when the request ends, fails or loses its connection;
 *   <li>a body that sends nothing for {@code gateway.body_read_timeout_s} is answered 408.
 * </ul>
 * A refused body is not read on: on HTTP/1.1 the failure handler closes the connection once the answer is written;
 * on HTTP/2 the rest of the stream's body is dropped as it comes.
 */
public final class RequestBodies {
  private static final String READ = "maas.body.read";
  private static final String UNREAD = "maas.body.unread";

  private final long maxBytes;
  private final BodyBudget budget;
  private final long readTimeoutSeconds;

  public RequestBodies(long maxBytes, BodyBudget budget, GatewayConfig.BodyLimits limits) {
    this.maxBytes = maxBytes;
    this.budget = budget;
    this.readTimeoutSeconds = limits.readTimeoutSeconds();
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** The route handler that reads the body into the routing context ({@code ctx.body()}), then calls the next. */
  public Handler<RoutingContext> reader() {
    return this::read;
  }

  private void read(RoutingContext ctx) {
    if (ctx.get(READ) != null) { // a reroute: read already
      ctx.next();
      return;
    }
    ctx.put(READ, Boolean.TRUE);
    HttpServerRequest request = ctx.request();
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && (type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
        || type.regionMatches(true, 0, "multipart/form-data", 0, 19))) {
      // a form type (curl -d's default) would make Vert.x decode a form and lose the body
      request.headers().remove(HttpHeaders.CONTENT_TYPE);
    }
    BodyBudget.Reservation reservation = budget.open();
    ctx.addEndHandler(done -> reservation.close());
    BodyRead body;
    try {
      long length = contentLength(request);
      if (length > maxBytes) {
        throw new MaasException(ErrorCode.PAYLOAD_TOO_LARGE, "a request body of " + length
            + " bytes is over the size limit of " + maxBytes + " bytes (gateway.max_body_bytes)");
      }
      BoundedInflater inflater = BoundedInflater.forEncoding(request.getHeader(HttpHeaders.CONTENT_ENCODING), maxBytes);
      body = new BodyRead(ctx, new BodyBytes(reservation, maxBytes, inflater == null ? length : -1), inflater,
          readTimeoutSeconds);
      String expect = request.getHeader(HttpHeaders.EXPECT);
      if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
        throw MaasException.invalid("unsupported Expect header: %s", expect);
      }
      if (expect != null && request.version() != HttpVersion.HTTP_1_0 && !request.isEnded()) {
        ctx.response().writeContinue(); // the body may come: it has its place
      }
    } catch (MaasException e) {
      refuse(ctx, e);
      return;
    }
    body.start();
  }

  /**
   * Fails the request whose body is (the rest of it) not read. HTTP/1.1: it is read no more, and the failure
   * handler closes the connection after its answer; HTTP/2: what still comes of it is dropped.
   */
  static void refuse(RoutingContext ctx, Throwable e) {
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      ctx.request().pause();
    }
    ctx.put(UNREAD, Boolean.TRUE);
    ctx.fail(e);
  }

  /** Whether the request's body was refused before it was all read: its answer must stop the transfer. */
  static boolean leftUnread(RoutingContext ctx) {
    return ctx.get(UNREAD) != null && !ctx.request().isEnded();
  }

  /** The declared length, -1 when the body has none (chunked, HTTP/2 without one). */
  private static long contentLength(HttpServerRequest request) {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null || value.isBlank()) {
      return -1;
    }
    try {
      long length = Long.parseLong(value.trim());
      if (length >= 0) {
        return length;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw MaasException.invalid("malformed Content-Length: %s", value);
  }
}
