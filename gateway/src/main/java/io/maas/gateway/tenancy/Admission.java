package io.maas.gateway.tenancy;

import io.maas.cluster.TokenBucketTake;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one admission step of every edge: authenticate a key ({@link #authenticate}), then per inference call
 * check the model and take a token from the key's cluster-wide bucket ({@link #admit}), and meter the
 * outcome ({@link #meter}). Errors name a key by its id at most, never by its secret.
 */
public final class Admission {
  public static final String WWW_AUTHENTICATE = "WWW-Authenticate";
  private final KeyStore store;

  public Admission(KeyStore store) {
    this.store = store;
  }

  /** The key a raw token stands for, or UNAUTHENTICATED (missing, unknown, revoked, expired). */
  public Future<ApiKey> authenticate(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(unauthenticated(
          "missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"));
    }
    return ApiKeys.parse(token.trim())
        .map(p -> store.get(p.id()).compose(found -> {
          ApiKey key = found.filter(k -> ApiKeys.matches(p.secret(), k.secretHash())).orElse(null);
          if (key == null) {
            return Future.<ApiKey>failedFuture(unauthenticated("invalid API key"));
          }
          if (!key.enabled()) {
            return Future.<ApiKey>failedFuture(unauthenticated("API key maas_" + key.id() + " is revoked"));
          }
          if (key.expired(System.currentTimeMillis())) {
            return Future.<ApiKey>failedFuture(unauthenticated("API key maas_" + key.id() + " has expired"));
          }
          return Future.succeededFuture(key);
        }))
        .orElseGet(() -> Future.failedFuture(unauthenticated("invalid API key")));
  }

  private static MaasException unauthenticated(String message) {
    return new MaasException(ErrorCode.UNAUTHENTICATED, message).withMetadata(Map.of(WWW_AUTHENTICATE, "Bearer"));
  }

  /** Admits one inference call of the key on the model, telling the caller the rate-limit state. */
  public Future<Void> admit(Caller caller, String model) {
    ApiKey key = caller.key();
    if (!key.allows(model)) {
      return meterRejection(key, "permission_denied", new MaasException(ErrorCode.PERMISSION_DENIED,
          "API key maas_" + key.id() + " may not use model '" + model + "'"));
    }
    return store.take(key).compose(r -> {
      Map<String, String> headers = rateHeaders(key, r);
      if (r[0] == TokenBucketTake.ALLOWED) {
        caller.onAdmitted().accept(headers);
        return Future.succeededFuture();
      }
      boolean quota = r[0] == TokenBucketTake.QUOTA_EXHAUSTED;
      String message = quota
          ? "daily quota of " + key.dailyQuota() + " requests exhausted for API key maas_" + key.id()
              + " (quota_exhausted); it renews at 00:00 UTC"
          : "rate limit of " + fmt(key.ratePerSecond()) + " requests/s (burst " + key.burst()
              + ") exceeded for API key maas_" + key.id() + " (rate_limited)";
      return meterRejection(key, quota ? "quota_exhausted" : "rate_limited",
          new MaasException(ErrorCode.RESOURCE_EXHAUSTED, message).withMetadata(headers));
    });
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** IETF RateLimit fields (draft 7 style) of a token bucket: limit = burst, window = burst / rate. */
  static Map<String, String> rateHeaders(ApiKey key, long[] r) {
    Map<String, String> h = new LinkedHashMap<>(); // a stable header order
    long window = Math.max(1, (long) Math.ceil(key.burst() / key.ratePerSecond()));
    h.put("RateLimit-Limit", Long.toString(key.burst()));
    h.put("RateLimit-Remaining", Long.toString(r[1]));
    h.put("RateLimit-Policy", key.burst() + ";w=" + window);
    if (r[0] == TokenBucketTake.ALLOWED) {
      long toFull = (long) Math.ceil((key.burst() - r[1]) / key.ratePerSecond());
      h.put("RateLimit-Reset", Long.toString(toFull));
    } else {
      long waitSeconds = Math.max(1, (long) Math.ceil(r[2] / 1000.0));
      h.put("RateLimit-Reset", Long.toString(waitSeconds));
      h.put("Retry-After", Long.toString(waitSeconds));
    }
    return h;
  }

  private <T> Future<T> meterRejection(ApiKey key, String reason, MaasException e) {
    HashMap<String, Long> d = new HashMap<>();
    d.put("requests", 1L);
    d.put("failures." + reason, 1L);
    d.put("last_used_at", System.currentTimeMillis());
    store.addUsage(key.id(), d);
    return Future.failedFuture(e);
  }

  /** Meters an admitted call once it ends: success with its batch items and tokens, or failure by code. */
  public void meter(Caller caller, InferenceRequest request, Future<InferenceResponse> outcome) {
    if (caller.isAnonymous()) {
      return;
    }
    outcome.onComplete(ar -> {
      HashMap<String, Long> d = new HashMap<>();
      d.put("requests", 1L);
      d.put("last_used_at", System.currentTimeMillis());
      if (ar.succeeded()) {
        d.put("successes", 1L);
        d.put("inferences", items(request));
        long tokens = ar.result().parameters().getLong("prompt_tokens", 0L);
        if (tokens > 0) {
          d.put("tokens", tokens);
        }
      } else {
        ErrorCode code = ar.cause() instanceof MaasException m ? m.code() : ErrorCode.INTERNAL;
        d.put("failures." + code.name().toLowerCase(java.util.Locale.ROOT), 1L);
      }
      store.addUsage(caller.key().id(), d);
    });
  }

  private static long items(InferenceRequest request) {
    if (request.inputs().isEmpty() || request.inputs().get(0).shape().length == 0) {
      return 1;
    }
    return Math.max(1, request.inputs().get(0).shape()[0]);
  }
}
