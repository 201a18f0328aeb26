package io.maas.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads a gateway's {@code GET /v2/repository/placement} every {@code period} on a thread of its own, for the
 * whole run, and keeps what the placement bench judges: every worker's memory used against its budget (the
 * highest ratio seen, and every sight of a worker over it), when each worker first showed in the view (the
 * gateway heard its announcement) and first held a version READY, the most READY copies each model had and the
 * most requests they held per copy, the
 * models READY somewhere now (for the load's client-side guess at cold loads), and one sample a second.
 * {@link #observe} is the pure part (tested); the rest is polling.
 */
final class PlacementWatch implements AutoCloseable {
  static final String READY = "READY";

  /** One second of the run as the view showed it. */
  record Sample(double seconds, int workers, int modelsReady, int copiesReady, long usedBytes, long limitBytes,
      long coldLoads, long added, long removed, long evictions, Map<String, Integer> copies) {}

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final HttpRequest request;
  private final Duration period;
  /** Where every view read goes, one JSON line each with its time; null: nowhere. */
  private final java.io.BufferedWriter views;
  private final long startMillis = System.currentTimeMillis();
  private final Thread thread;
  private volatile boolean stop;
  private volatile Set<String> readyModels = Set.of();

  private long polls;
  private long failedPolls;
  private String lastFailure = "";
  private double maxRatio;
  private final Map<String, Double> maxRatioByWorker = new TreeMap<>();
  private long overBudget;
  private String firstOverBudget = "";
  private final Map<String, Long> firstSeen = new LinkedHashMap<>();
  private final Map<String, Long> firstReady = new LinkedHashMap<>();
  private final Map<String, Integer> maxCopies = new TreeMap<>();
  private final Map<String, Double> maxHeldPerCopy = new TreeMap<>();
  private final List<Sample> samples = new ArrayList<>();
  private JsonObject last;
  private boolean decider;

  /** Observes only ({@link #observe}): no thread, for tests. */
  PlacementWatch() {
    this.request = null;
    this.period = Duration.ZERO;
    this.thread = null;
    this.views = null;
  }

  private PlacementWatch(URI placement, String key, Duration period, java.nio.file.Path views) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(placement).timeout(Duration.ofSeconds(5));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    this.request = b.build();
    this.period = period;
    this.views = views == null ? null : java.nio.file.Files.newBufferedWriter(views);
    this.thread = new Thread(this::poll, "placement-watch");
    this.thread.setDaemon(true);
  }

  /**
   * Starts polling this gateway's REST port.
   *
   * @param key an API key with the {@code repository} scope; null when the gateway checks no keys
   * @param views a file to write every view read to, one JSON line each ({@code {"t_ms": .., "view": ..}}), for
   *     looking into a run afterwards; null: none
   */
  static PlacementWatch start(int httpPort, String key, Duration period, java.nio.file.Path views)
      throws IOException {
    PlacementWatch w = new PlacementWatch(URI.create("http://127.0.0.1:" + httpPort + "/v2/repository/placement"),
        key, period, views);
    w.thread.start();
    return w;
  }

  private void poll() {
    long next = System.nanoTime();
    while (!stop) {
      try {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          long at = System.currentTimeMillis();
          observe(at, new JsonObject(r.body()));
          if (views != null) {
            views.write("{\"t_ms\": " + (at - startMillis) + ", \"view\": " + r.body() + "}\n");
          }
        } else {
          failed("HTTP " + r.statusCode() + ": " + r.body());
        }
      } catch (IOException | RuntimeException e) {
        failed(e.toString());
      } catch (InterruptedException e) {
        return;
      }
      next += period.toNanos();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait); // a fixed polling period, not synchronisation
      } else {
        next = System.nanoTime();
      }
    }
  }

  private synchronized void failed(String why) {
    failedPolls++;
    lastFailure = why;
  }

  /** Takes one view, read at {@code atMillis} (ms since the epoch). */
  synchronized void observe(long atMillis, JsonObject view) {
    polls++;
    last = view;
    decider |= view.getBoolean("decider", false);
    long since = atMillis - startMillis;
    Set<String> ready = new HashSet<>();
    Map<String, Integer> copies = new TreeMap<>();
    Map<String, Integer> held = new TreeMap<>();
    long used = 0;
    long limit = 0;
    long cold = 0;
    long added = 0;
    long removed = 0;
    long evictions = 0;
    JsonArray workers = view.getJsonArray("workers", new JsonArray());
    for (Object o : workers) {
      JsonObject w = (JsonObject) o;
      String id = w.getString("worker_id");
      firstSeen.putIfAbsent(id, since);
      long u = w.getLong("memory_used_bytes", 0L);
      long l = w.getLong("memory_limit_bytes", 0L);
      used += u;
      limit += l;
      cold += w.getLong("cold_loads", 0L);
      added += w.getLong("replicas_added", 0L);
      removed += w.getLong("replicas_removed", 0L);
      evictions += w.getLong("evictions", 0L);
      if (l > 0) {
        double ratio = (double) u / l;
        maxRatio = Math.max(maxRatio, ratio);
        maxRatioByWorker.merge(id, ratio, Math::max);
        if (u > l) {
          overBudget++;
          if (firstOverBudget.isEmpty()) {
            firstOverBudget = String.format("%s at %.1f s: %d of %d bytes, holding %s", id, since / 1000.0, u, l,
                w.getJsonArray("holds", new JsonArray()).encode());
          }
        }
      }
      for (Object h : w.getJsonArray("holds", new JsonArray())) {
        JsonObject hold = (JsonObject) h;
        if (READY.equals(hold.getString("state"))) {
          firstReady.putIfAbsent(id, since);
          ready.add(hold.getString("model"));
          copies.merge(hold.getString("model"), 1, Integer::sum);
          held.merge(hold.getString("model"), hold.getInteger("in_flight", 0), Integer::sum);
        }
      }
    }
    copies.forEach((m, n) -> maxCopies.merge(m, n, Math::max));
    held.forEach((m, n) -> maxHeldPerCopy.merge(m, (double) n / copies.get(m), Math::max));
    readyModels = Set.copyOf(ready);
    double seconds = since / 1000.0;
    if (samples.isEmpty() || seconds - samples.get(samples.size() - 1).seconds() >= 1.0) {
      samples.add(new Sample(seconds, workers.size(), ready.size(),
          copies.values().stream().mapToInt(Integer::intValue).sum(), used, limit, cold, added, removed, evictions,
          Map.copyOf(copies)));
    }
  }

  /** Whether some worker held the model READY at the last look. */
  boolean readySomewhere(String model) {
    return readyModels.contains(model);
  }

  /** Milliseconds since this watch started (the time base of every figure here). */
  long elapsedMillis() {
    return System.currentTimeMillis() - startMillis;
  }

  /** The READY copies of each model at the last look. */
  synchronized Map<String, Integer> copiesNow() {
    Map<String, Integer> copies = new TreeMap<>();
    if (last != null) {
      for (Object o : last.getJsonArray("workers", new JsonArray())) {
        for (Object h : ((JsonObject) o).getJsonArray("holds", new JsonArray())) {
          JsonObject hold = (JsonObject) h;
          if (READY.equals(hold.getString("state"))) {
            copies.merge(hold.getString("model"), 1, Integer::sum);
          }
        }
      }
    }
    return copies;
  }

  /** Polls until the view shows this many workers, or fails at the deadline. */
  void awaitWorkers(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (workersNow() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the placement view shows " + workersNow() + " worker(s), not " + n
            + ", within " + timeout + " (" + summary() + ")");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  synchronized int workersNow() {
    return last == null ? 0 : last.getJsonArray("workers", new JsonArray()).size();
  }

  synchronized long polls() {
    return polls;
  }

  synchronized long failedPolls() {
    return failedPolls;
  }

  synchronized String lastFailure() {
    return lastFailure;
  }

  synchronized double maxRatio() {
    return maxRatio;
  }

  synchronized Map<String, Double> maxRatioByWorker() {
    return Map.copyOf(maxRatioByWorker);
  }

  synchronized long overBudget() {
    return overBudget;
  }

  synchronized String firstOverBudget() {
    return firstOverBudget;
  }

  /** When each worker first showed in the view (ms since the watch started). */
  synchronized Map<String, Long> firstSeen() {
    return new LinkedHashMap<>(firstSeen);
  }

  /** When each worker first held a version READY (ms since the watch started). */
  synchronized Map<String, Long> firstReady() {
    return new LinkedHashMap<>(firstReady);
  }

  synchronized Map<String, Integer> maxCopies() {
    return Map.copyOf(maxCopies);
  }

  /** The most requests each model's READY copies held per copy (queued or running, as announced) in one view. */
  synchronized Map<String, Double> maxHeldPerCopy() {
    return Map.copyOf(maxHeldPerCopy);
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The last view read, or null. */
  synchronized JsonObject last() {
    return last == null ? null : last.copy();
  }

  /** Whether the polled gateway said it decided placement in any view. */
  synchronized boolean decider() {
    return decider;
  }

  synchronized String summary() {
    return polls + " views read, " + failedPolls + " failed" + (lastFailure.isEmpty() ? "" : " (last: " + lastFailure
        + ")");
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    if (thread != null) {
      thread.interrupt();
      thread.join(10_000);
    }
    if (views != null) {
      try {
        views.close();
      } catch (IOException e) {
        // the views file is for looking into a run; the figures are kept here
      }
    }
  }
}
