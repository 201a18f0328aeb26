package io.maas.http;

import io.maas.error.MaasException;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every client-facing HTTP server's answer to HTTP/1 requests that no API can read: each gets a 4xx with the usual
 * JSON error body, then the connection closes, where Vert.x answered some with a 5xx (a version other than 1.0 or
 * 1.1 got 501), some with no body (414, 431, 400) and some with silence (a malformed chunk, a body that does not
 * decode as its Content-Encoding says). See {@link MalformedRequestGuard} for each case.
 *
 * <p>HTTP/2 connections are untouched: Netty answers their protocol errors itself (431 for a header list over the
 * limit, GOAWAY for one far over it).
 */
public final class MalformedRequests {
  private static final Logger LOG = LoggerFactory.getLogger(MalformedRequests.class);
  /** The name of the guard in a connection's pipeline. */
  static final String GUARD = "maasMalformedRequests";

  private MalformedRequests() {}

  /**
   * The handler, behind a check of the request's path: one whose %-escapes do not decode (a '%' not followed by two
   * hex digits) gets a 400 with the error body of the API the path belongs to
   * ({@link ErrorFormat}) before any router sees it. Vert.x Web's routers normalise the
   * path to match their routes, fail on such a one, and log the failure as an ERROR with its stack trace, whichever
   * status the failure handler then writes. HTTP/1 and HTTP/2 alike.
   */
  public static Handler<HttpServerRequest> checkingPaths(Handler<HttpServerRequest> next) {
    return request -> {
      if (escapesDecode(request.path())) {
        next.handle(request);
        return;
      }
      MaasException problem = MaasException.invalid("the path has a malformed %%-escape");
      LOG.debug("refused {} {}: {}", request.method(), request.path(), problem.getMessage());
      ErrorFormat.of(request.path()).respond(request.response(), problem);
    };
  }

  /** Whether every '%' of the path starts an escape of two hex digits. */
  static boolean escapesDecode(String path) {
    if (path == null) {
      return true;
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
          || Character.digit(path.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Installs the guard on every HTTP/1 connection the server accepts; returns the server. */
  public static HttpServer answeredOn(HttpServer server) {
    return server.connectionHandler(MalformedRequests::guard);
  }

  /**
   * Puts the guard just ahead of Vert.x's own handler, behind the HTTP codec and the body decompressor, so that it
   * sees what they decoded and how they failed. Vert.x gives no public hold on a connection's pipeline: its
   * connections are a ConnectionBase, whose channel context is public.
   */
  private static void guard(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
      if (pipeline.get("httpDecoder") != null && pipeline.get(GUARD) == null && pipeline.get("handler") != null) {
        pipeline.addBefore("handler", GUARD, new MalformedRequestGuard());
      }
    }
  }
}
