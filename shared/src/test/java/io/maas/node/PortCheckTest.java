package io.maas.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class PortCheckTest {
  private static final String SETTINGS = "gateway.http_port";

  @Test
  void aPortSomeoneListensOnIsRefusedNamingTheAddressAndTheSettings() throws Exception {
    try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class,
          () -> PortCheck.requireFree("127.0.0.1", holder.getLocalPort(), SETTINGS));
      assertTrue(refusal.getMessage().startsWith("cannot listen on 127.0.0.1:" + holder.getLocalPort()
          + " (" + SETTINGS + ";"), refusal.getMessage());
    }
  }

  @Test
  void aPortNobodyHoldsIsFreeAndStaysFreeAfterTheCheck() throws Exception {
    int port;
    try (ServerSocket earlier = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = earlier.getLocalPort();
    }
    PortCheck.requireFree("127.0.0.1", port, SETTINGS);
    // the check let go of it: the server that follows can bind it
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress("127.0.0.1", port));
    }
  }

  @Test
  void portZeroPicksAFreeOneLaterAndIsNeverRefused() {
    assertDoesNotThrow(() -> PortCheck.requireFree("127.0.0.1", 0, SETTINGS));
  }

  @Test
  void anAddressThisHostDoesNotHaveIsRefused() {
    // 192.0.2.0/24 is TEST-NET-1: documentation only, never a local interface
    IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class,
        () -> PortCheck.requireFree("192.0.2.1", 8000, SETTINGS));
    assertTrue(refusal.getMessage().contains("192.0.2.1:8000"), refusal.getMessage());
  }
}
