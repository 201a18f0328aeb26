package io.maas.gateway.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's clock, from the moment it is accepted:
 * <ul>
 *   <li>its first request head must be complete within the header timeout of the accept;
 *   <li>with no request in progress (HTTP/1.1: between requests; HTTP/2: no open stream) it stays open the
 *       keep-alive idle time at most, whatever frames (pings) it exchanges;
 *   <li>an HTTP/1.1 request head that has started must be complete within the header timeout of its first byte.
 * </ul>
 * A connection that misses one is closed (HTTP/2: through Netty's HTTP/2 handler, which sends GOAWAY first). An
 * HTTP/1.1 request answered before its body was read lingers a moment, dropping that body, then closes (see
 * {@link #linger()}).
 *
 * <p>It watches the connection in front of everything (raw bytes, before Vert.x has told HTTP/1.1 from HTTP/2 by
 * them) and, for HTTP/1.1, just before Vert.x's connection handler, behind the codec: request heads and ends in,
 * final responses out. For HTTP/2 it follows the streams of Netty's HTTP/2 connection. Over TLS the clock starts
 * at the accept too (a handshake that never ends is a head that never comes), and the watchers go in once the
 * handshake has chosen the protocol: a handler right behind the TLS handler sees the handshake end (the front one,
 * ahead of the TLS handler, never does: the event travels from the TLS handler towards the tail). Everything runs
 * on the connection's event loop.
 */
final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  /** How long an HTTP/1.1 connection answered before its request's body was read lingers, dropping that body. */
  static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** Why the guard closed a connection: a metric tag and what the log line says. */
  enum Reason {
    HEADER_TIMEOUT("header_timeout", "no complete request head within %d s (gateway.header_timeout_s)"),
    KEEPALIVE_IDLE("keepalive_idle", "no request for %d s (gateway.keepalive_idle_s)");

    final String tag;
    final String explanation;

    Reason(String tag, String explanation) {
      this.tag = tag;
      this.explanation = explanation;
    }
  }

  /** What the guard reports: a connection it closed. */
  interface Listener {
    void closed(Reason reason);
  }

  private final long headerTimeoutNanos;
  private final long keepAliveIdleNanos;
  private final Listener listener;
  private Channel channel;
  private ScheduledFuture<?> timer;
  private long timerAt;
  private Reason pending;
  private long deadline;
  /** HTTP/1.1: request heads received, request bodies ended, final responses written. */
  private long heads;
  private long requestEnds;
  private long responses;
  private Http2Connection http2;
  /** The final response being written says Connection: close while its request's body is still coming. */
  private boolean closeAfterResponse;
  /** Answered and half-closed: what still comes is dropped until the client closes or the linger time ends. */
  private boolean lingering;

  ConnectionGuard(long headerTimeoutNanos, long keepAliveIdleNanos, Listener listener) {
    this.headerTimeoutNanos = headerTimeoutNanos;
    this.keepAliveIdleNanos = keepAliveIdleNanos;
    this.listener = listener;
  }

  /** The handler to put first in the connection's pipeline when it is accepted. */
  io.netty.channel.ChannelHandler front() {
    return new Front();
  }

  /**
   * Sets the deadline. The timer is lazy: one already due earlier stays, and when it fires it waits on for a
   * later deadline, so a kept-alive connection's requests cost no timer each.
   */
  private void arm(Reason reason, long nanos) {
    pending = reason;
    deadline = System.nanoTime() + nanos;
    if (timer == null || timerAt - deadline > 0) {
      schedule(deadline);
    }
  }

  private void schedule(long at) {
    if (timer != null) {
      timer.cancel(false);
    }
    timerAt = at;
    timer = channel.eventLoop().schedule(this::due, at - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  /** No deadline now (a request is in progress). */
  private void cancel() {
    pending = null;
  }

  private void due() {
    timer = null;
    Reason reason = pending;
    if (reason == null || lingering || !channel.isActive()) {
      return;
    }
    if (System.nanoTime() - deadline < 0) {
      schedule(deadline);
      return;
    }
    pending = null;
    long seconds = TimeUnit.NANOSECONDS.toSeconds(reason == Reason.HEADER_TIMEOUT ? headerTimeoutNanos : keepAliveIdleNanos);
    LOG.debug("closing the connection of {}: {}", channel.remoteAddress(), String.format(reason.explanation, seconds));
    listener.closed(reason);
    channel.close(); // from the pipeline's tail: an HTTP/2 handler on the way sends GOAWAY
  }

  private boolean http1Busy() {
    return responses < heads || requestEnds < heads;
  }

  private void http1Changed() {
    if (http2 != null) {
      return;
    }
    if (http1Busy()) {
      cancel();
    } else if (pending == null) {
      arm(Reason.KEEPALIVE_IDLE, keepAliveIdleNanos);
    }
  }

  /** The first bytes of an HTTP/1.1 request head, on a connection idle between requests. */
  private void http1HeadStarted() {
    if (http2 == null && heads > 0 && !http1Busy() && pending == Reason.KEEPALIVE_IDLE) {
      long left = deadline - System.nanoTime();
      arm(Reason.HEADER_TIMEOUT, Math.min(left, headerTimeoutNanos));
    }
  }

  /**
   * Closes an HTTP/1.1 connection answered before its request's body was read (too large, over the memory
   * budget, stalled): the answer is out, so the output is shut (a FIN behind it); what the client still sends of
   * the body is dropped here, before Vert.x copies a byte of it, until the client closes or the linger time ends.
   * Closing at once instead, with the body's bytes unread, would reset the connection, and a client that sends its
   * whole body before it reads (most do) could lose the answer.
   */
  private void linger() {
    if (lingering || !channel.isActive()) {
      return;
    }
    lingering = true;
    cancel();
    if (channel instanceof DuplexChannel duplex) {
      duplex.shutdownOutput();
    }
    channel.config().setAutoRead(true);
    channel.eventLoop().schedule(() -> channel.close(), LINGER_NANOS, TimeUnit.NANOSECONDS);
  }

  /** Once Vert.x has set the connection up for HTTP/2, follows its streams. */
  private void watchHttp2(ChannelPipeline pipeline) {
    Http2ConnectionHandler handler = pipeline.get(Http2ConnectionHandler.class);
    if (handler == null || http2 != null) {
      return;
    }
    http2 = handler.connection();
    http2.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamActive(Http2Stream stream) {
        cancel();
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        if (http2.numActiveStreams() == 0) {
          arm(Reason.KEEPALIVE_IDLE, keepAliveIdleNanos);
        }
      }
    });
    if (http2.numActiveStreams() > 0) {
      cancel();
    } else if (pending != Reason.HEADER_TIMEOUT) {
      arm(Reason.KEEPALIVE_IDLE, keepAliveIdleNanos);
    }
  }

  /**
   * HTTP/1.1: Vert.x's handlers go in before its idle handler (or the chunked writer), so the exchange watcher
   * goes right after it, between them and Vert.x's connection handler.
   *
   * @return false when the pipeline has neither (not set up for HTTP/1.1)
   */
  private boolean watchExchanges(ChannelPipeline p) {
    String anchor = p.get(ChunkedWriteHandler.class) != null ? p.context(ChunkedWriteHandler.class).name()
        : p.get(IdleStateHandler.class) != null ? p.context(IdleStateHandler.class).name() : null;
    if (anchor != null && p.get(Exchanges.class) == null) {
      p.addAfter(anchor, "maasExchanges", new Exchanges());
    }
    return anchor != null;
  }

  /** First in the pipeline: starts the clock, sees every byte read, finds out the protocol. */
  private final class Front extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      channel = ctx.channel();
      arm(Reason.HEADER_TIMEOUT, headerTimeoutNanos);
      // Vert.x has set a plaintext connection up by now (its initializer runs when the channel registers); a TLS
      // one is set up once its handshake has chosen the protocol, which the handler behind the TLS handler sees
      ChannelHandlerContext tls = ctx.pipeline().context(SslHandler.class);
      if (tls != null) {
        ctx.pipeline().addAfter(tls.name(), "maasHandshake", new Handshake());
      } else if (!watchExchanges(ctx.pipeline())) {
        LOG.warn("no idle handler on a client connection: HTTP/1.1 keep-alive limits are not applied");
      }
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (lingering) {
        ReferenceCountUtil.release(msg);
        return;
      }
      http1HeadStarted();
      ctx.fireChannelRead(msg);
      // HTTP/2 is set up on the first bytes (prior knowledge) or on the first request (an h2c upgrade)
      if (http2 == null && heads <= 1 && ctx.channel().isActive()) {
        watchHttp2(ctx.pipeline());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      cancel();
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      super.channelInactive(ctx);
    }
  }

  /** Right behind the TLS handler until its handshake ends: then the watchers go in for the protocol chosen. */
  private final class Handshake extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      super.userEventTriggered(ctx, event); // Vert.x sets the connection up for the protocol ALPN chose, behind us
      if (event instanceof SslHandshakeCompletionEvent done) {
        if (done.isSuccess() && ctx.channel().isActive()) {
          watchExchanges(ctx.pipeline());
          watchHttp2(ctx.pipeline());
        }
        if (!ctx.isRemoved()) {
          ctx.pipeline().remove(this);
        }
      }
    }
  }

  /** Behind Vert.x's HTTP/1.1 codec: request heads and ends in, final responses out. */
  private final class Exchanges extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof HttpRequest) {
        heads++;
      }
      if (msg instanceof LastHttpContent) {
        requestEnds++;
      }
      if (msg instanceof HttpRequest || msg instanceof LastHttpContent) {
        http1Changed();
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (msg instanceof HttpResponse r && !informational && !HttpUtil.isKeepAlive(r)) {
        closeAfterResponse = true;
      }
      boolean last = msg instanceof LastHttpContent && !informational;
      if (!last || !closeAfterResponse) {
        super.write(ctx, msg, promise);
      } else {
        // a body still coming is dropped first; one read whole (refused after it arrived, e.g. not the gzip it
        // claims, its request paused unread by Vert.x) leaves nothing to drop: the connection closes behind the answer
        boolean bodyComing = requestEnds < heads;
        ChannelPromise written = promise.unvoid();
        super.write(ctx, msg, written);
        written.addListener(f -> {
          if (bodyComing) {
            linger();
          } else {
            channel.close();
          }
        });
      }
      if (last) {
        responses++;
        http1Changed();
      }
    }
  }
}
