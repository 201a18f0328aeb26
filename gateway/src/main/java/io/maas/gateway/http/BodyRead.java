package io.maas.gateway.http;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.edge.StallTimer;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;

/**
 * One request body being read (see {@link RequestBodies}): its chunks go into its {@link BodyBytes} (through the
 * inflater when it is compressed); at its end it becomes the routing context's body and the next handler runs.
 * The first failure (too large, over the budget, malformed compressed data, stalled, the connection lost) fails
 * the routing context once and stops reading.
 */
final class BodyRead {
  private final RoutingContext ctx;
  private final HttpServerRequest request;
  private final BodyBytes bytes;
  private final BoundedInflater inflater;
  private final StallTimer stall;
  private boolean over;

  BodyRead(RoutingContext ctx, BodyBytes bytes, BoundedInflater inflater, long readTimeoutSeconds) {
    this.ctx = ctx;
    this.request = ctx.request();
    this.bytes = bytes;
    this.inflater = inflater;
    this.stall = new StallTimer(ctx.vertx(), readTimeoutSeconds, () -> fail(new MaasException(ErrorCode.REQUEST_TIMEOUT,
        "the request body sent nothing for " + readTimeoutSeconds + " s (gateway.body_read_timeout_s)")));
  }

  void start() {
    if (request.isEnded()) { // nothing (more) to read
      // the router paused the request; resumed, its HTTP/1.1 connection is read again, so a client that closes or
      // resets it while its request waits for the answer is seen (ClientGone), and its request cancelled
      request.resume();
      end();
      return;
    }
    request.exceptionHandler(this::fail).handler(this::chunk).endHandler(v -> end());
    stall.start();
    request.resume();
  }

  private void chunk(Buffer chunk) {
    if (over) {
      return;
    }
    stall.activity();
    try {
      if (inflater == null) {
        bytes.append(chunk);
      } else {
        ByteBuf b = ((BufferInternal) chunk).getByteBuf();
        inflater.inflate(b.nioBuffer(), bytes::append);
      }
    } catch (MaasException e) {
      fail(e);
    }
  }

  private void end() {
    if (over) {
      return;
    }
    try {
      if (inflater != null) {
        inflater.finish();
      }
    } catch (MaasException e) {
      fail(e);
      return;
    }
    done();
    ((RoutingContextInternal) ctx).setBody(bytes.toBuffer());
    ctx.next();
  }

  private void fail(Throwable e) {
    if (over) {
      return;
    }
    done();
    RequestBodies.refuse(ctx, e);
  }

  private void done() {
    over = true;
    stall.stop();
    if (inflater != null) {
      inflater.close();
    }
  }
}
