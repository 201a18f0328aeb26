package io.maas.gateway.edge;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.ext.web.RoutingContext;

/**
 * Whether a REST client went away before its answer: the future the pipeline cancels a request on
 * ({@code InferencePipeline.inferServed(..., clientGone)}). The gRPC edge makes its own from the call's events
 * ({@code UnaryCall}, {@code StreamInferCall}): a reset stream or a passed {@code grpc-timeout}.
 *
 * <p>Vert.x 5 semantics it rests on: an HTTP/1.x response's close handler runs when the connection closes before
 * {@code end()}, and its exception handler gets {@code HttpClosedException}; an HTTP/2 response's exception
 * handler gets {@code StreamResetException} when the client resets the stream (RST_STREAM), and its close handler
 * runs when the stream closes (after a normal end, too: then the answer is out and completing changes nothing).
 * vertx-web funnels all three into the routing context's end handlers, failed unless the response ended; adding
 * one there leaves the response's own handlers to whoever else needs them.
 */
public final class ClientGone {
  private ClientGone() {
  }

  /** Completes when the request's connection closes, or its stream is reset, before its response ended. */
  public static Future<Void> of(RoutingContext ctx) {
    if (ctx.response().closed()) {
      return Future.succeededFuture();
    }
    if (ctx.response().ended()) {
      return Promise.<Void>promise().future(); // answered: nothing left to cancel
    }
    Promise<Void> gone = Promise.promise();
    ctx.addEndHandler(ended -> {
      if (ended.failed()) {
        gone.tryComplete();
      }
    });
    return gone.future();
  }
}
