package io.maas.net;

import io.netty.channel.Channel;

/**
 * What a server port does with each connection it accepts, before Vert.x sees it: before the HTTP server
 * tells HTTP/1.1 from HTTP/2, before it has read a byte. It may refuse the connection, or add handlers
 * in front of Vert.x's (the channel is not registered yet: handlers added now run first).
 */
@FunctionalInterface
public interface AcceptHook {
  /** @return false to close the connection at once, unread */
  boolean accepted(Channel connection);
}
