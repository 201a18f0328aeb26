package io.maas.gateway.stats;

import io.maas.bus.Addresses;
import io.maas.error.MaasException;
import io.maas.gateway.routing.ModelView;
import io.maas.model.ModelStatus;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The KServe statistics of the cluster: asks every worker in the registry at once over the event bus
 * ({@link Addresses#workerStats}), waits at most the timeout for each, and sums what the answering ones
 * hold per model version. A worker that does not answer in time is left out, and counted as such.
 */
public final class ClusterStatistics {
  /** How long one worker gets to answer. */
  public static final long DEFAULT_TIMEOUT_MS = 1000;
  /** Versions in numeric order ("" first). */
  static final Comparator<String> VERSION_ORDER = Comparator.comparingInt(String::length)
      .thenComparing(Comparator.naturalOrder());

  private final Vertx vertx;
  private final WorkerRegistry registry;
  private final long timeoutMillis;

  /**
   * Statistics summed over the workers that answered.
   *
   * @param modelStats Triton's {@code $model_stat} objects, by model name then version
   * @param asked the workers asked
   * @param answered the workers that answered in time
   */
  public record Snapshot(List<JsonObject> modelStats, int asked, int answered) {}

  public ClusterStatistics(Vertx vertx, WorkerRegistry registry, long timeoutMillis) {
    this.vertx = vertx;
    this.registry = registry;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Collects the statistics of one model version, of every version of a model, or of everything: each ready
   * version is reported, with zeros when it had no traffic. Fails NOT_FOUND for a model, or a version, no
   * worker ever announced.
   *
   * @param model a model name, or "" for every model
   * @param version a version (number or label), or "" for every version
   */
  public Future<Snapshot> collect(String model, String version) {
    Map<String, List<String>> expected;
    String number;
    try {
      number = model.isEmpty() ? version : registry.versions().named(model, version);
      expected = expected(model, number);
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
    return collect(model, number, expected);
  }

  /** The model versions an answer covers. */
  private Map<String, List<String>> expected(String model, String version) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (model.isEmpty()) {
      registry.models().values().forEach(view -> out.put(view.name(), view.readyVersions()));
      return out;
    }
    ModelView view = registry.model(model).orElseThrow(() -> MaasException.notFound("unknown model '%s'", model));
    if (version.isEmpty()) {
      out.put(model, view.readyVersions());
    } else if (view.knows(version) || view.statuses().isEmpty()) {
      out.put(model, List.of(version));
    } else {
      throw MaasException.notFound("unknown version %s of model '%s'; versions: %s", version, model,
          view.statuses().stream().map(ModelStatus::version).filter(v -> !v.isEmpty()).distinct().sorted().toList());
    }
    return out;
  }

  /**
   * Collects the statistics of one model version, of every version of a model, or of everything.
   *
   * @param model a model name, or "" for every model
   * @param version a version, or "" for every version
   * @param expected (model, version) pairs reported even with no traffic (zeros) and no worker answering
   */
  public Future<Snapshot> collect(String model, String version, Map<String, List<String>> expected) {
    List<WorkerEndpoint> workers = List.copyOf(registry.workers());
    JsonObject query = new JsonObject().put("model", model).put("version", version);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMillis);
    List<Future<JsonObject>> answers = workers.stream()
        .map(w -> vertx.eventBus().<JsonObject>request(Addresses.workerStats(w.workerId()), query, options)
            .map(Message::body)
            .otherwise((JsonObject) null))
        .toList();
    return Future.join(answers).map(all -> sum(answers, expected, workers.size()));
  }

  private static Snapshot sum(List<Future<JsonObject>> answers, Map<String, List<String>> expected, int asked) {
    Map<String, Map<String, StatsSum>> sums = new TreeMap<>();
    expected.forEach((name, versions) -> versions.forEach(v -> sumOf(sums, name, v)));
    int answered = 0;
    for (JsonObject answer : answers.stream().map(Future::result).filter(Objects::nonNull).toList()) {
      answered++;
      JsonArray stats = answer.getJsonArray("model_stats", new JsonArray());
      for (int i = 0; i < stats.size(); i++) {
        JsonObject s = stats.getJsonObject(i);
        String name = s.getString("name", "");
        if (expected.containsKey(name)) {
          sumOf(sums, name, s.getString("version", "")).add(s);
        }
      }
    }
    List<JsonObject> out = sums.values().stream()
        .flatMap(versions -> versions.values().stream().map(StatsSum::toJson))
        .toList();
    return new Snapshot(out, asked, answered);
  }

  private static StatsSum sumOf(Map<String, Map<String, StatsSum>> sums, String name, String version) {
    return sums.computeIfAbsent(name, k -> new TreeMap<>(VERSION_ORDER))
        .computeIfAbsent(version, v -> new StatsSum(name, v));
  }
}
