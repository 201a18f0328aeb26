package io.maas.gateway.tenancy;

import io.vertx.core.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A key's rate-limit state after one call, as IETF RateLimit fields (draft 7 style) of a token bucket:
 * limit = burst, window = burst / rate, reset = seconds until the bucket is full again (or, refused, until
 * the next call may pass, also as {@code Retry-After}). Written straight into a response's headers (REST) or
 * trailers (gRPC, lower-case), with names encoded once.
 */
public record RateLimit(ApiKey key, Take take) {
  private static final CharSequence[] NAMES = names("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Policy",
      "RateLimit-Reset", "Retry-After");
  private static final CharSequence[] LOWER_NAMES = names("ratelimit-limit", "ratelimit-remaining",
      "ratelimit-policy", "ratelimit-reset", "retry-after");

  private static CharSequence[] names(String... names) {
    CharSequence[] out = new CharSequence[names.length];
    for (int i = 0; i < names.length; i++) {
      out[i] = HttpHeaders.createOptimized(names[i]);
    }
    return out;
  }

  /** The fields as HTTP headers, in a stable order. */
  public void headers(BiConsumer<CharSequence, CharSequence> put) {
    fields(NAMES, put);
  }

  /** The fields with lower-case names, as gRPC metadata wants them. */
  public void lowerCaseHeaders(BiConsumer<CharSequence, CharSequence> put) {
    fields(LOWER_NAMES, put);
  }

  /** The fields as a map (a refusal's error metadata). */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    headers((name, value) -> m.put(name.toString(), value.toString()));
    return m;
  }

  private void fields(CharSequence[] names, BiConsumer<CharSequence, CharSequence> put) {
    long burst = key.burst();
    double rate = key.ratePerSecond();
    long remaining = Math.min(burst, take.remaining());
    String burstText = Long.toString(burst);
    put.accept(names[0], burstText);
    put.accept(names[1], Long.toString(remaining));
    put.accept(names[2], burstText + ";w=" + Math.max(1, (long) Math.ceil(burst / rate)));
    if (take.allowed()) {
      put.accept(names[3], Long.toString((long) Math.ceil((burst - remaining) / rate)));
    } else {
      String wait = Long.toString(Math.max(1, (long) Math.ceil(take.waitMillis() / 1000.0)));
      put.accept(names[3], wait);
      put.accept(names[4], wait);
    }
  }
}
