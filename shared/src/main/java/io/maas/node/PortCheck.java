package io.maas.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Refuses a start whose listening port is taken before the process joins the cluster. A node that joined and
 * then failed on its port would join and leave within a second: for a gateway (a data member) that moves cluster
 * data twice, and a node started right after it on the same Hazelcast address can be expelled by a member still
 * closing the old connection. The servers' own {@code listen} still reports a port taken between this check and
 * the bind.
 */
public final class PortCheck {
  private PortCheck() {}

  /**
   * Binds {@code host:port} for a moment, as the server will (address reuse on, so a port held only by
   * connections in TIME_WAIT is free). Port 0 (a random one) is always free.
   *
   * @param settings the configuration keys that chose the address, named in the refusal
   * @throws IllegalArgumentException naming the address and the settings when it cannot be bound
   */
  public static void requireFree(String host, int port, String settings) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot listen on " + host + ":" + port + " (" + settings
          + "; processes sharing a host need a port each): " + e.getMessage(), e);
    }
  }
}
