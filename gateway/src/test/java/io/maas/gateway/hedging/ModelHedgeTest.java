package io.maas.gateway.hedging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.HedgeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hedge delay a model's latencies give, its budget, and its meters. */
class ModelHedgeTest {
  private static final HedgeConfig ON = HedgeConfig.DEFAULT.withEnabled(true); // p99 x 1.5 within 20..1000 ms

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static final long MS = 1_000_000L;

  @Test
  void untilItHasSeenEnoughAnswersTheDelayIsTheLongestAllowed() {
    ModelHedge hedge = new ModelHedge("m", ON, registry);
    assertEquals(1000, hedge.requestDispatched());
    for (int i = 0; i < ModelHedge.MIN_SAMPLES - 1; i++) {
      hedge.answered(30 * MS);
    }
    assertEquals(1000, hedge.requestDispatched());
    hedge.answered(30 * MS);
    long delay = hedge.requestDispatched();
    assertTrue(delay >= 45 && delay <= 57, "1.5 x p99 of 30 ms answers (one bucket up at most): " + delay);
  }

  @Test
  void theDelayIsThePercentileTimesTheFactorWithinTheFloorAndTheCap() {
    SplittableRandom random = new SplittableRandom(1);
    ModelHedge hedge = new ModelHedge("m", ON, registry);
    for (int i = 0; i < 1000; i++) {
      // 98 % of answers in 10-20 ms, 2 % at 100 ms: p99 is 100 ms
      hedge.answered((random.nextInt(50) == 0 ? 100 : 10 + random.nextInt(10)) * MS);
    }
    long delay = hedge.requestDispatched();
    assertTrue(delay >= 150 && delay <= 188, "1.5 x 100 ms: " + delay);

    ModelHedge fast = new ModelHedge("fast", ON, registry);
    for (int i = 0; i < 1000; i++) {
      fast.answered(MS / 2);
    }
    assertEquals(20, fast.requestDispatched(), "never below hedge_min_delay_ms");

    ModelHedge slow = new ModelHedge("slow", ON, registry);
    for (int i = 0; i < 1000; i++) {
      slow.answered(5000 * MS);
    }
    assertEquals(1000, slow.requestDispatched(), "never above hedge_max_delay_ms");
  }

  @Test
  void aSlowdownRaisesTheDelayWithinTheEstimatesWindow() {
    ModelHedge hedge = new ModelHedge("m", ON, registry);
    for (int i = 0; i < 1000; i++) {
      hedge.answered(20 * MS);
    }
    assertTrue(hedge.requestDispatched() < 40);
    for (int i = 0; i < 3 * LatencyHistogram.WINDOW; i++) {
      hedge.answered(200 * MS); // the cluster got ten times slower (overload): the tail moves with it
    }
    long delay = hedge.requestDispatched();
    assertTrue(delay >= 300 && delay <= 375, "1.5 x 200 ms: " + delay);
  }

  @Test
  void hedgesAreCountedSentWonAndDeniedByModel() {
    HedgeConfig oneHedge = new HedgeConfig(true, 99, 1.5, 20, 1000, 1, 1);
    ModelHedge hedge = new ModelHedge("m", oneHedge, registry);
    hedge.requestDispatched();
    assertTrue(hedge.trySpend());
    hedge.hedgeSent();
    hedge.hedgeWon();
    assertFalse(hedge.trySpend(), "a burst of one, and one request funds 1 % of a hedge");
    assertEquals(1.0, registry.get("maas.gateway.hedges").tag("model", "m").counter().count());
    assertEquals(1.0, registry.get("maas.gateway.hedge.wins").tag("model", "m").counter().count());
    assertEquals(1.0, registry.get("maas.gateway.hedges.denied").tag("model", "m").counter().count());
    assertEquals(1.0, registry.get("maas.gateway.hedge.delay").tag("model", "m").gauge().value());
  }

  @Test
  void hedgingOffHasNoStateForAnyModel() {
    Hedging off = new Hedging(HedgeConfig.DEFAULT, registry);
    assertFalse(HedgeConfig.DEFAULT.enabled(), "off by default");
    assertNull(off.forModel("m"));
    Hedging on = new Hedging(ON, registry);
    assertTrue(on.forModel("m") == on.forModel("m"), "one state per model");
  }
}
