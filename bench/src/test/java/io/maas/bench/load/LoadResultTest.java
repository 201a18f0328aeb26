package io.maas.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadResultTest {
  private static LoadResult window(long[] latenciesMicros, List<String> failures, double seconds, int items) {
    Recorder r = new Recorder(0, (long) (seconds * 1e9));
    long at = 1;
    for (long micros : latenciesMicros) {
      r.success(at, at + micros * 1000);
      at += micros * 1000;
    }
    failures.forEach(m -> r.failure(1, m));
    return r.result(items);
  }

  @Test
  void twoWindowsAddTheirCountsSecondsAndLatencies() {
    LoadResult a = window(new long[] {100, 100, 100}, List.of(), 1.0, 2);
    LoadResult b = window(new long[] {300}, List.of("HTTP 503: busy"), 1.0, 2);
    LoadResult both = a.plus(b);
    assertEquals(4, both.successes());
    assertEquals(1, both.failures());
    assertEquals(2.0, both.seconds(), 1e-9);
    assertEquals(2.0, both.requestsPerSecond(), 1e-9);
    assertEquals(4.0, both.itemsPerSecond(), 1e-9);
    assertEquals(4, both.completedSinceStart());
    assertEquals(100, both.micros(50), 1);
    assertEquals(300, both.micros(100), 1);
    assertEquals(3, a.successes(), "the parts are left as they were");
    assertEquals(100, a.micros(100), 1);
  }

  @Test
  void keepsTheFirstFewDistinctFailureMessagesOfBoth() {
    LoadResult a = window(new long[0], List.of("e1", "e2", "e3"), 1.0, 1);
    LoadResult b = window(new long[0], List.of("e3", "e4", "e5", "e6"), 1.0, 1);
    assertEquals(List.of("e1", "e2", "e3", "e4", "e5"), a.plus(b).firstFailures());
    assertEquals(7, a.plus(b).failures());
  }

  @Test
  void refusesResultsOfDifferentRequests() {
    LoadResult one = window(new long[] {1}, List.of(), 1.0, 1);
    LoadResult sixteen = window(new long[] {1}, List.of(), 1.0, 16);
    assertThrows(IllegalArgumentException.class, () -> one.plus(sixteen));
  }
}
