package io.maas.bench.load;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one measured load gave: answers that completed inside the measured window, latencies in
 * microseconds (closed loop: from each request's send; open loop: from its intended start), failures and
 * the first few failure messages.
 *
 * @param completedSinceStart successful answers from the start of the measured window until the last
 *     request in flight answered (what the server served while an allocation probe read before and after)
 */
public record LoadResult(long successes, long failures, List<String> firstFailures, double seconds,
    Histogram latencyMicros, int itemsPerRequest, long completedSinceStart) {

  /**
   * This result and another of the same request measured later (one of several interleaved windows) as
   * one: counts, measured seconds and latencies added, the first few distinct failure messages of both.
   */
  public LoadResult plus(LoadResult other) {
    if (other.itemsPerRequest != itemsPerRequest) {
      throw new IllegalArgumentException("requests of " + itemsPerRequest + " and " + other.itemsPerRequest + " items");
    }
    Histogram latency = latencyMicros.copy();
    latency.add(other.latencyMicros);
    List<String> messages = new ArrayList<>(firstFailures);
    other.firstFailures.stream().filter(m -> !messages.contains(m)).forEach(messages::add);
    return new LoadResult(successes + other.successes, failures + other.failures,
        List.copyOf(messages.subList(0, Math.min(messages.size(), Recorder.KEPT_MESSAGES))), seconds + other.seconds,
        latency, itemsPerRequest, completedSinceStart + other.completedSinceStart);
  }

  public double requestsPerSecond() {
    return seconds <= 0 ? 0 : successes / seconds;
  }

  /** Sequences (rows along the batch dimension) per second. */
  public double itemsPerSecond() {
    return requestsPerSecond() * itemsPerRequest;
  }

  /** A latency percentile in milliseconds; NaN without successes. */
  public double millis(double percentile) {
    return latencyMicros.getTotalCount() == 0 ? Double.NaN
        : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  /** A latency percentile in microseconds; NaN without successes. */
  public double micros(double percentile) {
    return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile);
  }
}
