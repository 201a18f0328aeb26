package io.maas.gateway.hedging;

import io.maas.config.HedgeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Hedging for one model: its recent latencies, the delay they give, its budget of hedges and its meters.
 *
 * <p>The delay is the model's {@code percentile} latency × {@code factor}, within {@code [min, max]} ms, and
 * {@code max} until {@link #MIN_SAMPLES} answers were seen. The latencies recorded are those of the tries
 * that answered requests, each from its own send: the first worker's when it answered first, the hedge's
 * own when it won. A loser that answers after the request was answered is not recorded: its latency is the
 * pause the hedge routed around, and counting it would lift the delay to the cap for the next thousands of
 * requests, just when a worker that paused once (a GC under memory pressure) is likely to pause again. Leaving
 * losers out hides only tries slower than the delay plus a normal answer; with a factor above 1 that is
 * well above the percentile, so the estimate hardly moves down for it.
 */
public final class ModelHedge {
  /** Fewer answers than this and the delay is the longest allowed: too few to know the tail. */
  static final int MIN_SAMPLES = 64;
  /** The delay is worked out again after this many new answers. */
  private static final int RECOMPUTE_EVERY = 16;

  private final HedgeConfig config;
  private final LatencyHistogram latencies = new LatencyHistogram();
  private final HedgeBudget budget;
  private final Counter sent;
  private final Counter won;
  private final Counter denied;
  private long delayMillis;
  private int answersSinceDelay;

  ModelHedge(String model, HedgeConfig config, MeterRegistry registry) {
    this.config = config;
    this.budget = new HedgeBudget(config.budgetPercent(), config.budgetBurst());
    this.delayMillis = config.maxDelayMillis();
    this.sent = Counter.builder("maas.gateway.hedges").tag("model", model)
        .description("hedges sent: requests sent to a second worker because the first had not answered in time")
        .register(registry);
    this.won = Counter.builder("maas.gateway.hedge.wins").tag("model", model)
        .description("hedges whose answer came before the first worker's").register(registry);
    this.denied = Counter.builder("maas.gateway.hedges.denied").tag("model", model)
        .description("hedge delays that passed with no hedge left in the model's budget").register(registry);
    Gauge.builder("maas.gateway.hedge.delay", this, h -> h.currentDelayMillis() / 1000.0).tag("model", model)
        .baseUnit("seconds").description("how long a request waits for its worker before it is hedged")
        .register(registry);
  }

  /**
   * A request for the model is being dispatched: it funds its share of the budget. Gives how long to wait for
   * its worker before hedging it.
   */
  public synchronized long requestDispatched() {
    budget.fund();
    return delayMillis;
  }

  /** A try answered (won or lost) this long after it was sent. */
  public synchronized void answered(long nanos) {
    latencies.record(nanos / 1000);
    if (++answersSinceDelay >= RECOMPUTE_EVERY || latencies.count() <= MIN_SAMPLES) {
      answersSinceDelay = 0;
      delayMillis = delayMillis(latencies, config);
    }
  }

  /** The delay passed unanswered: takes one hedge from the budget, or counts a denial. */
  public synchronized boolean trySpend() {
    boolean ok = budget.trySpend();
    if (!ok) {
      denied.increment();
    }
    return ok;
  }

  /** A hedge taken from the budget could not be sent (no other worker could take it). */
  public synchronized void refund() {
    budget.refund();
  }

  public void hedgeSent() {
    sent.increment();
  }

  public void hedgeWon() {
    won.increment();
  }

  synchronized long currentDelayMillis() {
    return delayMillis;
  }

  /** The delay these latencies give under this configuration. */
  static long delayMillis(LatencyHistogram latencies, HedgeConfig config) {
    if (latencies.count() < MIN_SAMPLES) {
      return config.maxDelayMillis();
    }
    double micros = latencies.quantileMicros(config.percentile() / 100) * config.factor();
    long millis = (long) Math.ceil(micros / 1000);
    return Math.max(config.minDelayMillis(), Math.min(config.maxDelayMillis(), millis));
  }
}
