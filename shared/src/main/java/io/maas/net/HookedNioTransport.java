package io.maas.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandler;
import io.vertx.core.impl.transports.NioTransport;
import io.vertx.core.net.NetServerOptions;

/**
 * Vert.x's NIO transport (a subclass, so that Vert.x still knows it for NIO), whose servers carry a
 * handler on their listening socket: Netty passes it every accepted connection before Vert.x sets the
 * connection up. Vert.x sets only the child handler of its server bootstraps, never this one.
 */
final class HookedNioTransport extends NioTransport {
  private final ChannelHandler onAccept;

  HookedNioTransport(ChannelHandler onAccept) {
    this.onAccept = onAccept;
  }

  @Override
  public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
    super.configure(options, domainSocket, bootstrap);
    bootstrap.handler(onAccept);
  }
}
