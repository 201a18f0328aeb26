package io.maas.gateway.tenancy;

/**
 * The rate limiter's answer for one call.
 *
 * @param remaining whole tokens left to the key, as far as this gateway knows (its lease and the bucket)
 * @param waitMillis for a refusal, how long until the key may call again
 */
public record Take(Outcome outcome, long remaining, long waitMillis) {
  public enum Outcome { ALLOWED, RATE_LIMITED, QUOTA_EXHAUSTED }

  static Take allowed(long remaining) {
    return new Take(Outcome.ALLOWED, remaining, 0);
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOWED;
  }
}
