package io.maas.cluster;

import io.maas.net.AcceptHook;
import io.maas.tls.HandshakeFailures;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The event bus server's accept hook with TLS on: reports connections whose TLS handshake fails (a member without a
 * certificate from the cluster's CA, or without TLS) through {@link HandshakeFailures}, once per peer host. Vert.x
 * drops such a connection without a word (the bus's server has no exception handler), so without it a member
 * would never learn that another one is knocking with the wrong certificate, or none.
 */
final class InboundHandshakes implements AcceptHook {
  private final HandshakeFailures failures;

  InboundHandshakes(HandshakeFailures failures) {
    this.failures = failures;
  }

  @Override
  public boolean accepted(Channel connection) {
    connection.pipeline().addLast(new Watch());
    return true;
  }

  /**
   * First in the connection's pipeline: by the time the connection is active, Vert.x has added its TLS handler
   * behind it, whose handshake it watches; then it steps aside.
   */
  private final class Watch extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      SslHandler tls = ctx.pipeline().get(SslHandler.class);
      SocketAddress remote = ctx.channel().remoteAddress();
      if (tls != null) {
        tls.handshakeFuture().addListener(done -> {
          if (!done.isSuccess() && HandshakeFailures.isHandshakeFailure(done.cause())) {
            if (remote instanceof InetSocketAddress inet) {
              String host = inet.getAddress().getHostAddress();
              failures.inbound(host, host + ":" + inet.getPort(), done.cause());
            } else {
              failures.inbound(String.valueOf(remote), String.valueOf(remote), done.cause());
            }
          }
        });
      }
      ctx.fireChannelActive();
      ctx.pipeline().remove(this);
    }
  }
}
