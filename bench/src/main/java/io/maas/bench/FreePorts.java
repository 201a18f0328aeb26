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
 *
 * <p>On a machine shared with others, {@code -Dbench.ports=29200-29299} keeps every HTTP, gRPC, admin and JMX
 * port in that range (instead of the system's free ports) and {@code -Dbench.hazelcast_ports=7500-7599} the
 * Hazelcast blocks (instead of 5900-5999).
 */
final class FreePorts {
  static final int FIRST_HAZELCAST_PORT = 5900;
  static final int HAZELCAST_PORTS = 10;
  private static final int LAST_HAZELCAST_PORT = 5999;

  private final Set<Integer> given = new HashSet<>();
  private final int[] range;
  private final int[] hazelcastRange;

  FreePorts() {
    this(range(System.getProperty("bench.ports")), range(System.getProperty("bench.hazelcast_ports")));
  }

  /**
   * @param range the ports to hand out, {first, last}; null for the system's free ports
   * @param hazelcastRange where Hazelcast blocks are sought, {first, last}; null for 5900-5999
   */
  FreePorts(int[] range, int[] hazelcastRange) {
    this.range = range;
    this.hazelcastRange = hazelcastRange == null ? new int[] {FIRST_HAZELCAST_PORT, LAST_HAZELCAST_PORT}
        : hazelcastRange;
  }

  /** "first-last" as {first, last}; null for null. */
  static int[] range(String firstDashLast) {
    if (firstDashLast == null || firstDashLast.isBlank()) {
      return null;
    }
    String[] parts = firstDashLast.trim().split("-");
    try {
      int first = Integer.parseInt(parts[0].trim());
      int last = Integer.parseInt(parts[parts.length - 1].trim());
      if (parts.length == 2 && first >= 1 && last <= 65535 && last >= first) {
        return new int[] {first, last};
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("a port range is first-last, e.g. 29200-29299, not " + firstDashLast);
  }

  /** A port the system says is free and that was not handed out before. */
  synchronized int next() {
    if (range != null) {
      for (int port = range[0]; port <= range[1]; port++) {
        if (!given.contains(port) && free(port)) {
          given.add(port);
          return port;
        }
      }
      throw new IllegalStateException("no free port left in " + range[0] + "-" + range[1]);
    }
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = systemFreePort();
      if (given.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port that was not handed out already, in 100 attempts");
  }

  /** The first of a free block of Hazelcast member ports (in 5900-5999 by default), none handed out before. */
  synchronized int hazelcastBlock() {
    for (int base = hazelcastRange[0]; base + HAZELCAST_PORTS - 1 <= hazelcastRange[1]; base += HAZELCAST_PORTS) {
      if (blockFree(base)) {
        for (int p = base; p < base + HAZELCAST_PORTS; p++) {
          given.add(p);
        }
        return base;
      }
    }
    throw new IllegalStateException("no free block of " + HAZELCAST_PORTS + " ports in " + hazelcastRange[0] + "-"
        + hazelcastRange[1]);
  }

  private boolean blockFree(int base) {
    for (int p = base; p < base + HAZELCAST_PORTS; p++) {
      if (given.contains(p) || !free(p)) {
        return false;
      }
    }
    return true;
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int systemFreePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
