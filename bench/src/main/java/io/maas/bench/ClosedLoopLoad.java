package io.maas.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load: {@code concurrency} clients, each sending its next request as soon as the previous
 * one answered. A warm-up runs first and is not counted; then it measures for a fixed time: successes,
 * failures, latencies (HdrHistogram, microseconds) and successes per {@code X-Maas-Worker}.
 */
final class ClosedLoopLoad {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final HttpRequest request;
  private final int concurrency;

  ClosedLoopLoad(URI target, String json, int concurrency) {
    this.request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    this.concurrency = concurrency;
  }

  /** What one measured run gave. */
  record Result(long successes, long failures, double seconds, Histogram latencyMicros, Map<String, Long> servedBy) {
    double throughput() {
      return successes / seconds;
    }
  }

  Result run(Duration warmUp, Duration measure) throws InterruptedException {
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder successes = new LongAdder();
    LongAdder failures = new LongAdder();
    AtomicLong measureStart = new AtomicLong();
    Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();
    List<Histogram> histograms = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Histogram h = new Histogram(60_000_000L, 3);
      histograms.add(h);
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          long start = System.nanoTime();
          try {
            HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
            // throughput counts the answers that arrive inside the measured window
            if (!measuring.get() || stop.get()) {
              continue;
            }
            if (r.statusCode() == 200) {
              successes.increment();
              h.recordValue(Math.min(60_000_000L, (System.nanoTime() - start) / 1000));
              servedBy.computeIfAbsent(r.headers().firstValue("X-Maas-Worker").orElse("?"), k -> new LongAdder())
                  .increment();
            } else {
              failures.increment();
            }
          } catch (IOException e) {
            if (measuring.get() && !stop.get()) {
              failures.increment();
            }
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-client-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    Thread.sleep(warmUp.toMillis());  // a benchmark's warm-up period, not synchronisation
    measureStart.set(System.nanoTime());
    measuring.set(true);
    Thread.sleep(measure.toMillis());
    stop.set(true);
    long end = System.nanoTime();
    for (Thread t : threads) {
      t.join(70_000);
    }
    Histogram all = new Histogram(60_000_000L, 3);
    histograms.forEach(all::add);
    Map<String, Long> by = new TreeMap<>();
    servedBy.forEach((k, v) -> by.put(k, v.sum()));
    return new Result(successes.sum(), failures.sum(), (end - measureStart.get()) / 1e9, all, by);
  }
}
