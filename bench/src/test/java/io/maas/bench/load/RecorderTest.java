package io.maas.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecorderTest {
  @Test
  void countsOnlyAnswersInsideTheMeasuredWindow() {
    Recorder r = new Recorder(1_000_000_000L, 2_000_000_000L);
    r.success(0, 999_999_999L);                  // warm-up
    r.success(900_000_000L, 1_100_000_000L);     // sent in warm-up, answered in the window: counts, 200 ms
    r.success(1_500_000_000L, 1_501_000_000L);   // 1 ms
    r.success(1_900_000_000L, 2_000_000_000L);   // answered at the window's end: drained, not measured
    r.failure(1_200_000_000L, "HTTP 503: busy");
    r.failure(1_300_000_000L, "HTTP 503: busy");
    r.failure(2_100_000_000L, "late");
    LoadResult result = r.result(4);
    assertEquals(2, result.successes());
    assertEquals(2, result.failures());
    assertEquals(List.of("HTTP 503: busy"), result.firstFailures());
    assertEquals(1.0, result.seconds(), 1e-9);
    assertEquals(2.0, result.requestsPerSecond(), 1e-9);
    assertEquals(8.0, result.itemsPerSecond(), 1e-9);
    assertEquals(3, result.completedSinceStart(), "what the server served while allocation was probed");
    assertEquals(1.0, result.millis(50), 0.01);
    assertEquals(200.0, result.millis(100), 0.2);
  }

  @Test
  void keepsAtMostAFewDistinctFailureMessages() {
    Recorder r = new Recorder(0, 10);
    for (int i = 0; i < 20; i++) {
      r.failure(1, "error " + i);
    }
    assertEquals(Recorder.KEPT_MESSAGES, r.result(1).firstFailures().size());
    assertEquals(20, r.result(1).failures());
  }

  @Test
  void noSuccessesGivesNaNPercentiles() {
    assertEquals(Double.NaN, new Recorder(0, 10).result(1).millis(50));
  }
}
