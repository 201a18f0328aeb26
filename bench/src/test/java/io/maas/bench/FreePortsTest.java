package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void neverHandsOutAPortTwice() {
    FreePorts ports = new FreePorts();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      assertTrue(seen.add(ports.next()), "handed out twice");
    }
  }

  @Test
  void hazelcastBlocksOfOneInstanceDoNotOverlap() {
    FreePorts ports = new FreePorts();
    int first = ports.hazelcastBlock();
    int second = ports.hazelcastBlock();
    assertNotEquals(first, second);
    assertEquals(0, (second - FreePorts.FIRST_HAZELCAST_PORT) % FreePorts.HAZELCAST_PORTS);
    assertTrue(Math.abs(second - first) >= FreePorts.HAZELCAST_PORTS);
  }

  @Test
  void withARangeEveryPortAndBlockComesFromIt() {
    FreePorts ports = new FreePorts(FreePorts.range("29280-29299"), FreePorts.range("7580-7599"));
    for (int i = 0; i < 5; i++) {
      int p = ports.next();
      assertTrue(p >= 29280 && p <= 29299, "port " + p);
    }
    int block = ports.hazelcastBlock();
    assertTrue(block == 7580 || block == 7590, "block " + block);
    assertEquals(null, FreePorts.range(null));
    assertThrows(IllegalArgumentException.class, () -> FreePorts.range("29300"));
    assertThrows(IllegalArgumentException.class, () -> FreePorts.range("29300-29200"));
  }
}
