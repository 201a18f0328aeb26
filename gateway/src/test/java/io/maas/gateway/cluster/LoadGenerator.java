package io.maas.gateway.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded closed-loop load: {@code concurrency} clients, each sending its next request when the
 * previous one answered, until {@link #stop()}, {@code maxRequests} or {@code maxDuration}, whichever
 * comes first. Every outcome is kept with its times, status and {@code X-Maas-Worker}.
 */
final class LoadGenerator implements AutoCloseable {
  static final String WORKER_HEADER = "X-Maas-Worker";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private final List<Thread> clients = new ArrayList<>();
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicLong issued = new AtomicLong();
  private final long maxRequests;
  private final long deadlineNanos;
  private final int concurrency;

  private LoadGenerator(int concurrency, long maxRequests, Duration maxDuration) {
    this.concurrency = concurrency;
    this.maxRequests = maxRequests;
    this.deadlineNanos = System.nanoTime() + maxDuration.toNanos();
  }

  /** Starts {@code concurrency} clients POSTing {@code json} to {@code target}. */
  static LoadGenerator start(URI target, String json, int concurrency, long maxRequests, Duration maxDuration) {
    return start(List.of(HttpRequest.newBuilder(target).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))), concurrency, maxRequests, maxDuration);
  }

  /**
   * Starts {@code concurrency} clients, each sending these requests in turn (client i starts at request i);
   * each outcome records which request it answers (e.g. one request per API key).
   */
  static LoadGenerator start(List<HttpRequest.Builder> requests, int concurrency, long maxRequests, Duration maxDuration) {
    LoadGenerator load = new LoadGenerator(concurrency, maxRequests, maxDuration);
    List<HttpRequest> built = requests.stream().map(b -> b.timeout(REQUEST_TIMEOUT).build()).toList();
    for (int i = 0; i < concurrency; i++) {
      int first = i;
      Thread t = new Thread(() -> load.run(built, first), "load-" + i);
      t.setDaemon(true);
      load.clients.add(t);
      t.start();
    }
    return load;
  }

  private void run(List<HttpRequest> requests, int first) {
    for (int next = first; !stopped.get() && System.nanoTime() < deadlineNanos && issued.incrementAndGet() <= maxRequests;
        next++) {
      int which = next % requests.size();
      long start = System.nanoTime();
      try {
        HttpResponse<String> r = GatewayProcess.HTTP.send(requests.get(which), HttpResponse.BodyHandlers.ofString());
        outcomes.add(new Outcome(start, System.nanoTime(), r.statusCode(),
            r.headers().firstValue(WORKER_HEADER).orElse(""), r.statusCode() == 200 ? "" : r.body(), which));
      } catch (IOException e) {
        outcomes.add(new Outcome(start, System.nanoTime(), 0, "", e.toString(), which));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  int concurrency() {
    return concurrency;
  }

  /** What has been answered so far. */
  LoadResult snapshot() {
    return new LoadResult(List.copyOf(outcomes));
  }

  /** Stops issuing requests and waits for the ones in flight; gives every outcome. */
  LoadResult stop() {
    stopped.set(true);
    return awaitDone();
  }

  /** Waits for the load to end by itself (count or time). */
  LoadResult awaitDone() {
    for (Thread t : clients) {
      try {
        t.join(REQUEST_TIMEOUT.toMillis() + Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return snapshot();
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * One request: when it started and ended (System.nanoTime), its status (0: no answer), who served it, and
   * which of the generator's requests it was.
   */
  record Outcome(long startNanos, long endNanos, int status, String worker, String error, int request) {
    boolean ok() {
      return status == 200;
    }
  }
}
