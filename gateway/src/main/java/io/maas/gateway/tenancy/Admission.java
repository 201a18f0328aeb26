package io.maas.gateway.tenancy;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.vertx.core.Future;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one admission step of every edge: authenticate a key ({@link #authenticate}), then per inference call
 * check the model and take a token from the key's cluster-wide bucket ({@link #admit}), and meter the
 * outcome ({@link #meter}). All three are local on the request path: keys come from this gateway's
 * {@link KeyView}, tokens from its {@link RateLimiter}'s leases, counts go to its {@link UsageMeter}. Errors
 * name a key by its id at most, never by its secret.
 */
public sealed class Admission permits Admission.Open {
  public static final String WWW_AUTHENTICATE = "WWW-Authenticate";
  /**
   * API keys off ({@code gateway.auth_enabled: false}): everyone is let in, as {@link Caller#ANONYMOUS}; nothing is
   * checked, limited or metered.
   */
  public static final Admission OPEN = new Open();
  private final KeyStore store;
  private final RateLimiter limiter;
  private final UsageMeter usage;
  private final AdminToken adminToken;

  Admission(KeyStore store, RateLimiter limiter, UsageMeter usage, AdminToken adminToken) {
    this.adminToken = adminToken;
    this.store = store;
    this.limiter = limiter;
    this.usage = usage;
  }

  /**
   * Whether API keys are off ({@link #OPEN}): then the edges need not read any credential, every caller being
   * {@link Caller#ANONYMOUS}.
   */
  public boolean isOpen() {
    return false;
  }

  /** Whether a raw bearer token is the administrator's (accepted on administrative routes only). */
  public boolean isAdmin(String token) {
    return adminToken.matches(token);
  }

  /** The key a raw token stands for, or UNAUTHENTICATED (missing, unknown, revoked, expired). */
  public Future<ApiKey> authenticate(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(unauthenticated(
          "missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"));
    }
    Optional<ApiKeys.Parsed> parsed = ApiKeys.parse(token.trim());
    if (parsed.isEmpty()) {
      return Future.failedFuture(unauthenticated("invalid API key"));
    }
    ApiKeys.Parsed p = parsed.get();
    KeyView.Known known = store.view().find(p.id());
    if (known != null) {
      return check(known, p.secret());
    }
    // not in the view: a key made on another gateway an instant ago, whose event is still on its way
    return store.get(p.id()).compose(found -> check(store.view().find(p.id()), p.secret()));
  }

  private static Future<ApiKey> check(KeyView.Known known, String secret) {
    if (known == null || !ApiKeys.matches(secret, known.secretHash())) {
      return Future.failedFuture(unauthenticated("invalid API key"));
    }
    ApiKey key = known.key();
    if (!key.enabled()) {
      return Future.failedFuture(unauthenticated("API key maas_" + key.id() + " is revoked"));
    }
    if (key.expired(System.currentTimeMillis())) {
      return Future.failedFuture(unauthenticated("API key maas_" + key.id() + " has expired"));
    }
    return Future.succeededFuture(key);
  }

  private static MaasException unauthenticated(String message) {
    return new MaasException(ErrorCode.UNAUTHENTICATED, message).withMetadata(Map.of(WWW_AUTHENTICATE, "Bearer"));
  }

  /**
   * Admits one inference call of the key on the model, telling the caller the rate-limit state: the key needs
   * the {@link Scopes#INFER} scope and the model among its models (else PERMISSION_DENIED, counted as
   * {@code permission_denied}), then a token. The repository API never comes here: it takes no token and
   * counts no request.
   */
  public Future<Void> admit(Caller caller, String model) {
    ApiKey key = caller.key();
    if (key == null) { // the admin token is no API key: it runs no inference
      return Future.failedFuture(unauthenticated("the admin token is accepted by the repository API only: "
          + "inference needs an API key"));
    }
    if (!key.has(Scopes.INFER)) {
      return denied(key, "API key maas_" + key.id() + " may not run inference: it lacks the '" + Scopes.INFER
          + "' scope");
    }
    if (!key.allows(model)) {
      return denied(key, "API key maas_" + key.id() + " may not use model '" + model + "'");
    }
    Future<Take> take = limiter.take(key);
    return take.isComplete() // the usual case: decided from this gateway's lease
        ? decide(caller, take.result())
        : take.compose(t -> decide(caller, t));
  }

  private Future<Void> denied(ApiKey key, String message) {
    usage.refused(key.id(), "permission_denied", System.currentTimeMillis());
    return Future.failedFuture(new MaasException(ErrorCode.PERMISSION_DENIED, message));
  }

  private Future<Void> decide(Caller caller, Take t) {
    ApiKey key = caller.key();
    RateLimit limit = new RateLimit(key, t);
    if (t.allowed()) {
      caller.onAdmitted().accept(limit);
      return Future.succeededFuture();
    }
    boolean quota = t.outcome() == Take.Outcome.QUOTA_EXHAUSTED;
    usage.refused(key.id(), quota ? "quota_exhausted" : "rate_limited", System.currentTimeMillis());
    String message = quota
        ? "daily quota of " + key.dailyQuota() + " requests exhausted for API key maas_" + key.id()
            + " (quota_exhausted); it renews at 00:00 UTC"
        : "rate limit of " + fmt(key.ratePerSecond()) + " requests/s (burst " + key.burst()
            + ") exceeded for API key maas_" + key.id() + " (rate_limited)";
    return Future.failedFuture(new MaasException(ErrorCode.RESOURCE_EXHAUSTED, message).withMetadata(limit.asMap()));
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /**
   * Meters an admitted call once it ends: success with its batch items, tokens and time in its worker's queue;
   * a client gone ({@code cancelled}) or a deadline passed ({@code timed_out}) counted as such; any other failure
   * by code.
   */
  public void meter(Caller caller, InferenceRequest request, Future<? extends Answered> outcome) {
    if (caller.key() == null) {
      return;
    }
    String id = caller.key().id();
    outcome.onComplete(ar -> {
      long now = System.currentTimeMillis();
      if (ar.succeeded()) {
        Answered answered = ar.result();
        usage.succeeded(id, items(request), Math.max(0, answered.response().parameters().getLong("prompt_tokens", 0L)),
            answered.queueWaitMicros(), now);
        return;
      }
      ErrorCode code = ar.cause() instanceof MaasException m ? m.code() : ErrorCode.INTERNAL;
      switch (code) {
        case CANCELLED -> usage.cancelled(id, now);
        case DEADLINE_EXCEEDED -> usage.timedOut(id, now);
        default -> usage.failed(id, code.name().toLowerCase(Locale.ROOT), now);
      }
    });
  }

  /** Keys off: no key is needed, none is checked, nothing is limited or metered. */
  static final class Open extends Admission {
    private static final Future<Void> ADMITTED = Future.succeededFuture();

    private Open() {
      super(null, null, null, null);
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    /** There is no admin token: nothing is administrative when everything is open. */
    @Override
    public boolean isAdmin(String token) {
      return false;
    }

    /** No key to look up: an anonymous caller (a null key), whatever the token. */
    @Override
    public Future<ApiKey> authenticate(String token) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> admit(Caller caller, String model) {
      return ADMITTED;
    }

    @Override
    public void meter(Caller caller, InferenceRequest request, Future<? extends Answered> outcome) {
    }
  }

  private static long items(InferenceRequest request) {
    if (request.inputs().isEmpty() || request.inputs().get(0).shape().length == 0) {
      return 1;
    }
    return Math.max(1, request.inputs().get(0).shape()[0]);
  }
}
