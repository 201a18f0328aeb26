package io.maas.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
  @Test
  void takesEachInTurn() {
    RoundRobin<Integer> ports = new RoundRobin<>(List.of(8100, 8200));
    List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      taken.add(ports.next());
    }
    assertEquals(List.of(8100, 8200, 8100, 8200, 8100), taken);
  }

  @Test
  void oneItemIsAlwaysTheOne() {
    RoundRobin<String> one = new RoundRobin<>(List.of("a"));
    assertEquals("a", one.next());
    assertEquals("a", one.next());
  }

  @Test
  void targetSendsTheKeyAsABearerTokenAndNeedsAGrpcPortPerGateway() {
    assertEquals(Optional.of("Bearer maas_k"), new Target(List.of(1), List.of(2), Optional.of("maas_k")).authorization());
    assertEquals(Optional.empty(), new Target(List.of(1), List.of(2), Optional.empty()).authorization());
    assertThrows(IllegalArgumentException.class, () -> new Target(List.of(1, 3), List.of(2), Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> new RoundRobin<>(List.of()));
  }
}
