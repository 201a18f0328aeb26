package io.maas.bench;

import static io.maas.bench.Auth.OFF;
import static io.maas.bench.Auth.ON;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SideBySideTest {
  @Test
  void turnsFlipTheOrderEveryRound() {
    assertEquals(List.of(ON, OFF), SideBySide.turns(1));
    assertEquals(List.of(ON, OFF, OFF, ON), SideBySide.turns(2));
    assertEquals(List.of(ON, OFF, OFF, ON, ON, OFF, OFF, ON), SideBySide.turns(4));
  }

  @Test
  void anEvenNumberOfRoundsGivesBothSidesTheSameMeanPosition() {
    List<Auth> order = SideBySide.turns(SideBySide.ROUNDS);
    assertEquals(0, SideBySide.ROUNDS % 2, "a linear drift must weigh on both sides alike");
    int on = 0;
    int off = 0;
    for (int i = 0; i < order.size(); i++) {
      if (order.get(i) == ON) {
        on += i;
      } else {
        off += i;
      }
    }
    assertEquals(on, off);
    assertEquals(Collections.frequency(order, ON), Collections.frequency(order, OFF));
  }
}
