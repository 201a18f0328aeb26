package io.maas.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {
  @Test
  void requestsAreDueAtFixedIntervalsFromTheStart() {
    OpenLoopSchedule s = new OpenLoopSchedule(1_000, 1000);  // 1 ms apart
    assertEquals(1_000, s.intendedStart(0));
    assertEquals(1_001_000, s.intendedStart(1));
    assertEquals(10_001_000, s.intendedStart(10));
  }

  @Test
  void aLateTickTakesEveryRequestDueSinceWithItsOwnIntendedStart() {
    OpenLoopSchedule s = new OpenLoopSchedule(0, 1000);
    long now = 3_500_000;  // the generator wakes 3.5 ms late: requests 0..3 are due
    int taken = 0;
    long last = -1;
    while (s.due(now)) {
      last = s.take();
      taken++;
    }
    assertEquals(4, taken);
    assertEquals(3_000_000, last, "latency is measured from when it was due, not from now");
    assertFalse(s.due(now));
    assertTrue(s.due(4_000_000));
  }

  @Test
  void fractionalIntervalsDoNotDrift() {
    OpenLoopSchedule s = new OpenLoopSchedule(0, 3);  // 333,333,333.3 ns apart
    assertEquals(1_000_000_000, s.intendedStart(3));
    assertEquals(100_000_000_000L, s.intendedStart(300));
  }

  @Test
  void rejectsANonPositiveRate() {
    assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, 0));
  }
}
