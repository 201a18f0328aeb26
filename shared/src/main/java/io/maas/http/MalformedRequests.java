package io.maas.http;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;

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
  /** The name of the guard in a connection's pipeline. */
  static final String GUARD = "maasMalformedRequests";

  private MalformedRequests() {}

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
