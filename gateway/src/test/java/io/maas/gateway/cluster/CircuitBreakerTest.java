package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway's circuit breaker per worker: a worker that fails every request stops receiving traffic
 * while it fails, and receives traffic again once it has healed.
 */
@Tag("cluster")
class CircuitBreakerTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  /** How long worker-b fails every request after its slot starts. */
  private static final int FAIL_MS = 15_000;
  /** A stretch this long without a failure, worker-b still failing, shows that its breaker is open. */
  private static final Duration QUIET = Duration.ofMillis(1500);

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  @Test
  void aWorkerFailingEveryRequestStopsReceivingTrafficAndReceivesItAgainAfterItHeals() {
    GatewayProcess gateway = cluster.startGateway("gateway");
    WorkerProcess a = cluster.startWorker("worker-a", WorkerOptions.sim(20, 0));
    gateway.awaitLive(START);
    String idA = a.awaitId(START);
    Traffic.awaitServedBy(gateway, List.of(idA), START);

    try (LoadGenerator load = LoadGenerator.start(gateway.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, 4,
        Long.MAX_VALUE, Duration.ofSeconds(120))) {
      WorkerProcess b = cluster.startWorker("worker-b", WorkerOptions.simFailingFor(20, FAIL_MS));
      String idB = b.awaitId(START);
      // its slot started before it logged that it listens: it heals at the latest FAIL_MS after this
      long healsBy = System.nanoTime() + Duration.ofMillis(FAIL_MS).toNanos();

      Poll.until(Duration.ofSeconds(10), "worker-b receives traffic and fails it",
          () -> load.snapshot().failures() > 0);
      long quietFrom = Poll.until(Duration.ofMillis(FAIL_MS), "a " + QUIET.toMillis()
          + " ms stretch without failures while worker-b still fails", () -> quietSince(load.snapshot()));
      assertTrue(System.nanoTime() < healsBy,
          "the breaker did not keep traffic off worker-b before it healed: " + load.snapshot());
      LoadResult quiet = load.snapshot().startedFrom(quietFrom);
      assertTrue(quiet.servedBy().keySet().equals(java.util.Set.of(idA)),
          "only worker-a serves while worker-b's breaker is open: " + quiet);

      Poll.until(Duration.ofMillis(FAIL_MS + 30_000), "healed worker-b serves again",
          () -> load.snapshot().servedBy(idB) > 0);
      LoadResult result = load.stop();
      assertTrue(result.servedBy(idA) > 0 && result.servedBy(idB) > 0, result.toString());
    }
  }

  /** The start of the last failure-free stretch of at least {@link #QUIET} holding 20 requests or more. */
  private static Optional<Long> quietSince(LoadResult r) {
    long lastFailure = r.outcomes().stream().filter(o -> !o.ok())
        .mapToLong(LoadGenerator.Outcome::endNanos).max().orElse(Long.MIN_VALUE);
    long now = System.nanoTime();
    if (now - lastFailure < QUIET.toNanos()) {
      return Optional.empty();
    }
    LoadResult since = r.startedFrom(lastFailure);
    return since.total() >= 20 && since.failures() == 0 ? Optional.of(lastFailure) : Optional.empty();
  }
}
