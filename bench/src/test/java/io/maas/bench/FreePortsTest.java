package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
}
