package io.maas.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.transport.Transport;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The accept hooks of one process's servers, by local port: the one place that sees a client's connection
 * the moment it is accepted. Vert.x's own connection handler comes later: an HTTP server calls it once it
 * has told HTTP/1.1 from HTTP/2 by the first bytes, so a client that connects and sends nothing (or
 * dribbles the HTTP/2 preface) is never seen there, and a cap on connections counted there is no cap.
 *
 * <p>The hooks run in a handler on each server socket's own pipeline, which a {@link #transport() transport}
 * adds to every server the Vert.x instance binds; ports with no hook (the event bus, the admin server) pass
 * through untouched. A server registers its hook once it listens: connections accepted before that are
 * not hooked.
 */
public final class AcceptHooks {
  private final Map<Integer, AcceptHook> byPort = new ConcurrentHashMap<>();
  private final ChannelHandler dispatcher = new Dispatcher();

  /** Hooks the connections a server accepts on this local port from now on. */
  public void register(int port, AcceptHook hook) {
    byPort.put(port, hook);
  }

  public void unregister(int port) {
    byPort.remove(port);
  }

  /** The transport to build the Vert.x instance with: Vert.x's NIO transport, with the hooks on its servers. */
  public Transport transport() {
    io.vertx.core.spi.transport.Transport implementation = new HookedNioTransport(dispatcher);
    return new Transport() {
      @Override
      public String name() {
        return "nio";
      }

      @Override
      public boolean available() {
        return true;
      }

      @Override
      public Throwable unavailabilityCause() {
        return null;
      }

      @Override
      public io.vertx.core.spi.transport.Transport implementation() {
        return implementation;
      }
    };
  }

  /** On a server socket's pipeline: each accepted connection reaches it (as a message) before it is set up. */
  @ChannelHandler.Sharable
  private final class Dispatcher extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      AcceptHook hook = ctx.channel().localAddress() instanceof InetSocketAddress local
          ? byPort.get(local.getPort()) : null;
      if (hook != null && msg instanceof Channel connection && !hook.accepted(connection)) {
        connection.unsafe().closeForcibly();
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }
}
