package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Placement on real processes ({@code worker.model_control_mode: placed}): sim workers whose budgets hold fewer
 * models than their repository serve every model under load, loading on demand and evicting the least recently
 * used, never over budget, with no failed request, and on when the deciding gateway is killed; a worker that
 * joins takes copies; a model larger than every budget is refused at once, not waited for.
 */
@Tag("cluster")
class PlacementClusterTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  private static final int MODELS = 8;
  private static final String BODY = Traffic.SIMPLE_BODY;

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  /** m0..m7: copies of the sample model simple; "huge": one that states it needs 100 GiB. */
  private Path repository() {
    Path repo = cluster.dir().resolve("placed-models");
    try {
      Path simple = ClusterHarness.root().resolve("conf/models/simple");
      String config = Files.readString(simple.resolve("config.yaml"));
      for (String name : names()) {
        Files.createDirectories(repo.resolve(name).resolve("1"));
        Files.copy(simple.resolve("1/model.onnx"), repo.resolve(name).resolve("1/model.onnx"));
        Files.writeString(repo.resolve(name).resolve("config.yaml"),
            name.equals("huge") ? config + "memory_mb: 102400\n" : config);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return repo;
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < MODELS; i++) {
      names.add("m" + i);
    }
    names.add("huge");
    return names;
  }

  /** A skewed mix: m0 and m1 most of the time, each of the others once a round. */
  private static List<HttpRequest.Builder> mix(GatewayProcess gateway) {
    List<String> order = new ArrayList<>();
    for (int i = 2; i < MODELS; i++) {
      order.addAll(List.of("m0", "m1", "m0", "m" + i));
    }
    return order.stream().map(m -> HttpRequest.newBuilder(gateway.uri("/v2/models/" + m + "/infer"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY))).toList();
  }

  private static JsonObject placement(GatewayProcess gateway) {
    HttpResponse<String> r = gateway.get("/v2/repository/placement");
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  private static List<JsonObject> workers(JsonObject view) {
    List<JsonObject> out = new ArrayList<>();
    view.getJsonArray("workers").forEach(w -> out.add((JsonObject) w));
    return out;
  }

  private static long sum(JsonObject view, String field) {
    return workers(view).stream().mapToLong(w -> w.getLong(field)).sum();
  }

  /** Samples every worker's memory use against its budget every 100 ms until closed. */
  private static final class BudgetWatch implements AutoCloseable {
    final AtomicLong samples = new AtomicLong();
    final AtomicReference<String> over = new AtomicReference<>();
    final AtomicReference<Double> highest = new AtomicReference<>(0.0);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    BudgetWatch(GatewayProcess gateway) {
      timer.scheduleWithFixedDelay(() -> {
        try {
          for (JsonObject w : workers(placement(gateway))) {
            long used = w.getLong("memory_used_bytes");
            long limit = w.getLong("memory_limit_bytes");
            highest.accumulateAndGet((double) used / limit, Math::max);
            if (used > limit) {
              over.compareAndSet(null, w.encode());
            }
          }
          samples.incrementAndGet();
        } catch (RuntimeException | AssertionError e) {
          // a gateway killed on purpose answers nothing for a moment: the next sample tells
        }
      }, 0, 100, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdownNow();
      timer.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPoolSmallerThanItsRepositoryServesEveryModelWithinBudgetAndOnWhenTheDecidingGatewayDies() throws Exception {
    Path repo = repository();
    GatewayProcess decider = cluster.startGateway("gateway-a").awaitLive(START);
    GatewayProcess other = cluster.startGateway("gateway-b");
    List<WorkerProcess> workers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      workers.add(cluster.startWorker("worker-" + i, WorkerOptions.placedSim(5, 200, 100).repository(repo)));
    }
    other.awaitLive(START);
    for (WorkerProcess w : workers) {
      w.awaitId(START);
    }
    Poll.until(START, "gateway-b sees 3 placed workers, gateway-a decides", () -> {
      JsonObject view = placement(other);
      return workers(view).size() == 3 && workers(view).stream().allMatch(w -> w.getBoolean("placed"))
          && placement(decider).getBoolean("decider") && !view.getBoolean("decider");
    });

    try (BudgetWatch budget = new BudgetWatch(other);
        LoadGenerator load = LoadGenerator.start(mix(other), 6, Long.MAX_VALUE, Duration.ofSeconds(120))) {
      Poll.until(Duration.ofSeconds(60), "every model served once", () -> load.snapshot().total() >= 200);
      long killedAt = System.nanoTime();
      decider.jvm.kill();
      Poll.until(Duration.ofSeconds(30), "gateway-b decides", () -> placement(other).getBoolean("decider"));
      System.out.printf("placement: gateway-b decides %.1f s after the deciding gateway was killed%n",
          (System.nanoTime() - killedAt) / 1e9);
      long before = load.snapshot().total();
      Poll.until(Duration.ofSeconds(60), "requests go on after the takeover", () -> load.snapshot().total() >= before + 200);
      LoadResult result = load.stop();
      budget.close();
      JsonObject view = placement(other);
      System.out.printf("placement: %d requests over %d models on 3 workers holding 2 each: %d failed; %d cold "
              + "load(s), %d eviction(s); %d budget samples, highest use %.2f of a budget%n", result.total(), MODELS,
          result.failures(), sum(view, "cold_loads"), sum(view, "evictions"), budget.samples.get(), budget.highest.get());
      assertEquals(0, result.failures(), "cold loads wait, evictions and the takeover fail nothing: " + result);
      assertTrue(budget.samples.get() >= 20, "the budget was sampled: " + budget.samples.get());
      assertEquals(null, budget.over.get(), "no worker over its budget");
      assertTrue(sum(view, "evictions") > 0 && sum(view, "cold_loads") > 0, view.encodePrettily());
      for (JsonObject w : workers(view)) {
        assertTrue(w.getJsonArray("holds").size() <= 2, "2 models of 100 MiB in a 200 MiB budget: " + w.encode());
      }
    }
  }

  @Test
  void aJoiningWorkerTakesCopiesAModelLargerThanEveryBudgetIsRefusedAndAnUnloadedOneTooAtOnce() throws Exception {
    Path repo = repository();
    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess first = cluster.startWorker("worker-1", WorkerOptions.placedSim(5, 300, 100).repository(repo));
    gateway.awaitLive(START);
    first.awaitId(START);
    Poll.until(START, "the gateway sees a placed worker", () -> workers(placement(gateway)).size() == 1);

    long sent = System.nanoTime();
    HttpResponse<String> huge = Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/models/huge/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(BODY)));
    double seconds = (System.nanoTime() - sent) / 1e9;
    assertEquals(503, huge.statusCode(), huge.body());
    assertTrue(huge.body().contains("needs 102400 MiB") && huge.body().contains("300 MiB"), huge.body());
    assertTrue(seconds < 10, "refused at once, not at the deadline: " + seconds + " s");
    HttpResponse<String> load = Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/repository/models/huge/load"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(503, load.statusCode(), load.body());

    try (LoadGenerator traffic = LoadGenerator.start(mix(gateway), 6, Long.MAX_VALUE, Duration.ofSeconds(120))) {
      Poll.until(Duration.ofSeconds(60), "the load runs", () -> traffic.snapshot().total() >= 100);
      WorkerProcess second = cluster.startWorker("worker-2", WorkerOptions.placedSim(5, 300, 100).repository(repo));
      String id = second.awaitId(START);
      AtomicLong seen = new AtomicLong();
      Poll.until(START, "the gateway sees the joining worker", () -> {
        boolean there = workers(placement(gateway)).stream().anyMatch(w -> w.getString("worker_id").equals(id));
        if (there) {
          seen.set(System.nanoTime());
        }
        return there;
      });
      Poll.until(Duration.ofSeconds(30), "the joining worker holds a model READY", () -> workers(placement(gateway))
          .stream().filter(w -> w.getString("worker_id").equals(id))
          .anyMatch(w -> w.getJsonArray("holds").stream().anyMatch(h -> "READY".equals(((JsonObject) h).getString("state")))));
      double took = (System.nanoTime() - seen.get()) / 1e9;
      System.out.printf("placement: a joining worker held a model READY %.1f s after it was announced%n", took);
      assertTrue(took < 10, "within 10 s: " + took);
      long before = traffic.snapshot().total();
      Poll.until(Duration.ofSeconds(60), "the load goes on", () -> traffic.snapshot().total() >= before + 100);
      LoadResult result = traffic.stop();
      assertEquals(0, result.failures(), result.toString());
      assertTrue(result.servedBy(id) > 0, "the joining worker serves: " + result.servedBy());
    }

    // an unload takes a model out of placement: its requests are refused at once, until a load puts it back
    assertEquals(200, Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/repository/models/m2/unload"))
        .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
    long asked = System.nanoTime();
    HttpResponse<String> unloaded = Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/models/m2/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(BODY)));
    assertEquals(503, unloaded.statusCode(), unloaded.body());
    assertTrue(unloaded.body().contains("unloaded"), unloaded.body());
    assertTrue((System.nanoTime() - asked) / 1e9 < 10, "refused at once, not at the deadline");
    assertEquals(200, Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/repository/models/m2/load"))
        .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
    assertEquals(200, Tenants.send(HttpRequest.newBuilder(gateway.uri("/v2/models/m2/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(BODY))).statusCode(), "loaded again: placed again");
  }
}
