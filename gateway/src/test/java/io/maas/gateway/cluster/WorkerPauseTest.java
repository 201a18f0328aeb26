package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker alive but not answering (SIGSTOP: as in a long GC pause or on a stuck device) under traffic, with
 * hedging on: the requests it holds are answered by a hedge on another worker.
 */
@Tag("cluster")
class WorkerPauseTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  private static final int CONCURRENCY = 8;
  private static final Duration PAUSE = Duration.ofSeconds(3);
  /** The generous bound: the hedge delay here is tens of ms (p99 × 1.5 of ~25 ms answers), then one answer. */
  private static final Duration SLOWEST = Duration.ofSeconds(1);

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();

  /**
   * SIGSTOP of one of three workers for 3 s under traffic. Its cluster member stays (the failure detector waits
   * 10 s) and its announcements stay valid (every 2 s here, valid 6 s), so nothing but the hedge answers what
   * it holds before SIGCONT: no request fails, none takes a second or more, and hedges won; after SIGCONT the
   * worker serves again.
   */
  @Test
  void sigstopOfOneOfThreeWorkersWithHedgingOnFailsNoRequestAndDelaysNoneBeyondOneSecond() {
    GatewayProcess gateway = cluster.startGateway("gateway", "gateway.hedge_enabled=true");
    WorkerProcess a = cluster.startWorker("worker-a", slowlyAnnouncing());
    WorkerProcess b = cluster.startWorker("worker-b", slowlyAnnouncing());
    WorkerProcess c = cluster.startWorker("worker-c", slowlyAnnouncing());
    gateway.awaitLive(START);
    String idA = a.awaitId(START);
    String idB = b.awaitId(START);
    String idC = c.awaitId(START);
    Traffic.awaitServedBy(gateway, List.of(idA, idB, idC), START);

    try (LoadGenerator load = LoadGenerator.start(gateway.uri(Traffic.SIMPLE), Traffic.SIMPLE_BODY, CONCURRENCY,
        Long.MAX_VALUE, Duration.ofSeconds(120))) {
      // enough answers for the gateway to estimate the model's latency (64 at least), some of them from worker-b
      Poll.until(Duration.ofSeconds(30), "300 answers, 20 from " + idB,
          () -> load.snapshot().successes() >= 300 && load.snapshot().servedBy(idB) >= 20);
      long pausedAt = System.nanoTime();
      b.jvm.pause();
      long stopped = System.nanoTime(); // from here on worker-b answers nothing (an answer it sent before may land)
      long resumedAt;
      try {
        Poll.until(PAUSE.plusSeconds(30), "worker-b stopped for " + PAUSE.toSeconds() + " s under traffic",
            () -> System.nanoTime() - pausedAt >= PAUSE.toNanos() && load.snapshot().startedFrom(pausedAt).total() >= 100);
      } finally {
        b.jvm.resume();
        resumedAt = System.nanoTime();
      }
      Poll.until(Duration.ofSeconds(30), "worker-b serves again after SIGCONT",
          () -> load.snapshot().startedFrom(resumedAt).servedBy(idB) >= 10);
      LoadResult result = load.stop();

      assertEquals(0, result.failures(), "no request fails because a worker stopped: " + result);
      LoadResult fromThePause = result.where(o -> o.endNanos() - pausedAt > 0);
      long slowest = fromThePause.outcomes().stream().mapToLong(o -> o.endNanos() - o.startNanos()).max().orElse(0);
      long held = result.where(o -> o.startNanos() - pausedAt < 0 && o.endNanos() - pausedAt > 0).total();
      double hedges = gateway.series("maas_gateway_hedges_total", "model=\"simple\"");
      double won = gateway.series("maas_gateway_hedge_wins_total", "model=\"simple\"");
      System.out.printf("SIGSTOP of 1 of 3 workers for %d s, hedging on: %d requests answered from the stop on, "
          + "0 failed, the slowest took %.0f ms; %d in flight at the stop; %.0f hedges sent, %.0f won%n",
          PAUSE.toSeconds(), fromThePause.total(), slowest / 1e6, held, hedges, won);
      assertTrue(slowest < SLOWEST.toNanos(), "a request answered during or after the pause took " + slowest / 1e6
          + " ms: " + result);
      assertTrue(won >= 1, "the stopped worker's requests were answered by hedges: " + hedges + " sent, " + won + " won");
      assertEquals(0, result.where(o -> o.startNanos() - stopped > 0 && o.endNanos() - resumedAt < 0).servedBy(idB),
          "a request sent while worker-b was stopped is answered by another");
    }
  }

  /** A sim worker (20 ms a request) announcing every 2 s: its announcements are valid 6 s, longer than the pause. */
  private static WorkerOptions slowlyAnnouncing() {
    return WorkerOptions.sim(20, 1).set("worker.announce_interval_ms=2000");
  }
}
