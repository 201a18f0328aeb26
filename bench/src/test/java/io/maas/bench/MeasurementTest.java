package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maas.bench.load.LoadResult;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class MeasurementTest {
  static LoadResult served(long requests, long latencyMicros, double seconds) {
    Histogram h = new Histogram(120_000_000L, 3);
    h.recordValueWithCount(latencyMicros, requests);
    return new LoadResult(requests, 0, List.of(), seconds, h, 1, requests);
  }

  @Test
  void turnsAddUpToOnePoint() {
    Measurement first = new Measurement(served(100, 200, 4), 10_000, 2e9, 4e9, 1e9, 5e9);
    Measurement second = new Measurement(served(300, 400, 4), 50_000, 6e9, 4e9, 3e9, 5e9);
    Measurement both = first.plus(second);
    assertEquals(50.0, both.result().requestsPerSecond(), 1e-9);
    assertEquals(150.0, both.allocatedBytesPerRequest(), 1e-9, "60,000 bytes over 400 requests");
    assertEquals(1.0, both.serverCpu(), 1e-9, "8 s of CPU over 8 s");
    assertEquals(0.4, both.generatorCpu(), 1e-9);
  }

  @Test
  void aProbeThatCouldNotSayInOneTurnLeavesTheFigureUnknown() {
    Measurement known = new Measurement(served(100, 200, 4), 10_000, 2e9, 4e9, 1e9, 5e9);
    Measurement unknown = new Measurement(served(100, 200, 4), Double.NaN, Double.NaN, 4e9, 1e9, 5e9);
    assertEquals(Double.NaN, known.plus(unknown).allocatedBytesPerRequest());
    assertEquals(Double.NaN, known.plus(unknown).serverCpu());
    assertEquals(Double.NaN, new Measurement(served(0, 1, 4), 10, 1, 1, 1, 1).allocatedBytesPerRequest(),
        "nothing served");
  }
}
