package io.maas.config;

import io.vertx.core.json.JsonObject;

/**
 * Hedged requests (settings {@code gateway.hedge_*}): when the worker a request went to has not answered
 * within a high percentile of the model's recent latency, the gateway sends the same request to a second
 * worker holding the model and takes whichever answer comes first. It serves a worker that is alive but not
 * answering (a long GC pause, a stopped process, a stuck device), which no membership event reveals for
 * seconds; a hedge is the request's one retry, and a budget keeps hedges to a small share of the requests.
 *
 * @param enabled whether requests are hedged at all
 * @param percentile the percentile of the model's recent latencies the delay starts from (e.g. 99)
 * @param factor the percentile is multiplied by this (above 1: only clear outliers are hedged)
 * @param minDelayMillis the delay is never shorter (below it a hedge would chase the gateway's own hiccups)
 * @param maxDelayMillis the delay is never longer; also the delay while a model has too few latencies yet
 * @param budgetPercent hedges are funded by requests: each request adds this share of a hedge to the model's
 *     budget, each hedge spends one, so hedges stay under this % of the requests (plus the burst)
 * @param budgetBurst the most hedges a model's budget holds (it starts full)
 */
public record HedgeConfig(boolean enabled, double percentile, double factor, long minDelayMillis,
    long maxDelayMillis, double budgetPercent, int budgetBurst) {

  /** The defaults of conf/maas.yaml. */
  public static final HedgeConfig DEFAULT = new HedgeConfig(false, 99, 1.5, 20, 1000, 5, 10);

  public HedgeConfig {
    if (!(percentile > 0 && percentile < 100)) {
      throw new IllegalArgumentException("gateway.hedge_percentile must be above 0 and below 100, not " + percentile);
    }
    if (!(factor > 0)) {
      throw new IllegalArgumentException("gateway.hedge_factor must be a positive number, not " + factor);
    }
    if (minDelayMillis < 1 || maxDelayMillis < minDelayMillis) {
      throw new IllegalArgumentException("gateway.hedge_min_delay_ms (" + minDelayMillis + ") must be at least 1 and "
          + "gateway.hedge_max_delay_ms (" + maxDelayMillis + ") at least as long");
    }
    if (!(budgetPercent > 0 && budgetPercent <= 100)) {
      throw new IllegalArgumentException("gateway.hedge_budget_percent must be above 0 and at most 100, not "
          + budgetPercent);
    }
    if (budgetBurst < 1) {
      throw new IllegalArgumentException("gateway.hedge_budget_burst must be at least 1, not " + budgetBurst);
    }
  }

  /** The same settings, hedging on or off. */
  public HedgeConfig withEnabled(boolean on) {
    return new HedgeConfig(on, percentile, factor, minDelayMillis, maxDelayMillis, budgetPercent, budgetBurst);
  }

  static HedgeConfig fromJson(JsonObject gateway) {
    return new HedgeConfig(
        ConfigValues.bool(gateway, "gateway", "hedge_enabled"),
        ConfigValues.positiveDouble(gateway, "gateway", "hedge_percentile"),
        ConfigValues.positiveDouble(gateway, "gateway", "hedge_factor"),
        ConfigValues.positiveLong(gateway, "gateway", "hedge_min_delay_ms"),
        ConfigValues.positiveLong(gateway, "gateway", "hedge_max_delay_ms"),
        ConfigValues.positiveDouble(gateway, "gateway", "hedge_budget_percent"),
        (int) ConfigValues.positiveLong(gateway, "gateway", "hedge_budget_burst"));
  }
}
