package io.maas.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free TCP ports on 127.0.0.1 for processes about to start: each free when handed out, and never handed out
 * twice. The system may offer a port it just offered again before the process it was meant for binds it
 * (seen: a worker's metrics port the same as a gateway's gRPC port, both started at once), so the ports
 * given are remembered. Processes started together take their ports from one instance.
 */
final class FreePorts {
  static final int FIRST_HAZELCAST_PORT = 5900;
  static final int HAZELCAST_PORTS = 10;
  private static final int LAST_HAZELCAST_PORT = 5999;

  private final Set<Integer> given = new HashSet<>();

  /** A port the system says is free and that was not handed out before. */
  synchronized int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = systemFreePort();
      if (given.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port that was not handed out already, in 100 attempts");
  }

  /** The first of a free block of Hazelcast member ports in 5900-5999, none of them handed out before. */
  synchronized int hazelcastBlock() {
    for (int base = FIRST_HAZELCAST_PORT; base + HAZELCAST_PORTS - 1 <= LAST_HAZELCAST_PORT; base += HAZELCAST_PORTS) {
      if (blockFree(base)) {
        for (int p = base; p < base + HAZELCAST_PORTS; p++) {
          given.add(p);
        }
        return base;
      }
    }
    throw new IllegalStateException("no free block of " + HAZELCAST_PORTS + " ports in " + FIRST_HAZELCAST_PORT + "-"
        + LAST_HAZELCAST_PORT);
  }

  private boolean blockFree(int base) {
    for (int p = base; p < base + HAZELCAST_PORTS; p++) {
      if (given.contains(p)) {
        return false;
      }
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static int systemFreePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
