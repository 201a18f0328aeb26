package io.maas.gateway.hedging;

/**
 * The hedges one model may send: a token bucket funded by requests, not by time. Every request adds
 * {@code percent / 100} of a token, every hedge spends a whole one, and the bucket holds at most
 * {@code burst} (it starts full). So over any stretch of traffic hedges stay below {@code percent} % of the
 * requests plus the burst, whatever the load: when a cluster slows down under overload, and every request
 * crosses its hedge delay, hedging adds at most that share instead of doubling the load.
 *
 * <p>Not thread-safe: its owner ({@link ModelHedge}) serialises access.
 */
final class HedgeBudget {
  private final double perRequest;
  private final double burst;
  private double tokens;

  HedgeBudget(double percent, int burst) {
    this.perRequest = percent / 100;
    this.burst = burst;
    this.tokens = burst;
  }

  /** A request arrived: it funds its share of a hedge. */
  void fund() {
    tokens = Math.min(burst, tokens + perRequest);
  }

  /** Spends one hedge if the budget holds one. */
  boolean trySpend() {
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** Gives back a hedge that was spent but could not be sent (no other worker could take it). */
  void refund() {
    tokens = Math.min(burst, tokens + 1);
  }

  double tokens() {
    return tokens;
  }
}
