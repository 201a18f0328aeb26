package io.maas.bench.load;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Counts the answers that complete inside the measured window {@code [from, to)} (nanoTime): their
 * latencies, failures and the first few failure messages. Warm-up answers (before) and late ones (after)
 * are not counted. Confined to the load generator's event loop, so not thread-safe.
 */
final class Recorder {
  static final long MAX_MICROS = 120_000_000L;
  static final int KEPT_MESSAGES = 5;

  private final long from;
  private final long to;
  private final Histogram latency = new Histogram(MAX_MICROS, 3);
  private final List<String> messages = new ArrayList<>();
  private long successes;
  private long failures;
  private long completedSinceStart;

  Recorder(long from, long to) {
    this.from = from;
    this.to = to;
  }

  boolean measuring(long now) {
    return now >= from && now < to;
  }

  /** Records an answer that arrived at {@code end} for a request that started (or was due) at {@code start}. */
  void success(long start, long end) {
    if (end >= from) {
      completedSinceStart++;
    }
    if (measuring(end)) {
      successes++;
      latency.recordValue(Math.min(MAX_MICROS, Math.max(0, (end - start) / 1000)));
    }
  }

  void failure(long end, String message) {
    if (measuring(end)) {
      failures++;
      if (messages.size() < KEPT_MESSAGES && !messages.contains(message)) {
        messages.add(message);
      }
    }
  }

  LoadResult result(int itemsPerRequest) {
    return new LoadResult(successes, failures, List.copyOf(messages), (to - from) / 1e9, latency, itemsPerRequest,
        completedSinceStart);
  }
}
