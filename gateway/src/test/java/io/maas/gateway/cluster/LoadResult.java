package io.maas.gateway.cluster;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Outcomes of a {@link LoadGenerator}, counted by status and by the worker that served them. */
final class LoadResult {
  private final List<LoadGenerator.Outcome> outcomes;

  LoadResult(List<LoadGenerator.Outcome> outcomes) {
    this.outcomes = outcomes;
  }

  List<LoadGenerator.Outcome> outcomes() {
    return outcomes;
  }

  long total() {
    return outcomes.size();
  }

  long successes() {
    return outcomes.stream().filter(LoadGenerator.Outcome::ok).count();
  }

  long failures() {
    return total() - successes();
  }

  /** Failed requests by HTTP status (0: no answer at all). */
  Map<Integer, Long> failuresByStatus() {
    return outcomes.stream().filter(o -> !o.ok())
        .collect(Collectors.groupingBy(LoadGenerator.Outcome::status, TreeMap::new, Collectors.counting()));
  }

  /** Successful requests by X-Maas-Worker. */
  Map<String, Long> servedBy() {
    return outcomes.stream().filter(LoadGenerator.Outcome::ok)
        .collect(Collectors.groupingBy(LoadGenerator.Outcome::worker, TreeMap::new, Collectors.counting()));
  }

  long servedBy(String worker) {
    return servedBy().getOrDefault(worker, 0L);
  }

  /** When the first success from this worker arrived (System.nanoTime), if any. */
  OptionalLong firstServedAt(String worker) {
    return outcomes.stream().filter(o -> o.ok() && o.worker().equals(worker))
        .mapToLong(LoadGenerator.Outcome::endNanos).min();
  }

  /** The outcomes of requests started at or after this instant (System.nanoTime). */
  LoadResult startedFrom(long nanos) {
    return where(o -> o.startNanos() - nanos >= 0);
  }

  LoadResult where(Predicate<LoadGenerator.Outcome> filter) {
    return new LoadResult(outcomes.stream().filter(filter).toList());
  }

  /** A line for assertion messages: counts, failures by status, the first failure's body. */
  @Override
  public String toString() {
    String firstError = outcomes.stream().filter(o -> !o.ok()).map(LoadGenerator.Outcome::error).findFirst().orElse("");
    return total() + " requests, " + successes() + " ok, failures by status " + failuresByStatus()
        + ", served by " + servedBy() + (firstError.isEmpty() ? "" : ", first failure: " + firstError);
  }
}
