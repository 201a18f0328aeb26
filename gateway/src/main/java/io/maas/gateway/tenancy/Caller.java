package io.maas.gateway.tenancy;

import java.util.function.Consumer;

/**
 * Who makes a call: an authenticated key (or none when {@code gateway.auth_enabled} is false),
 * and where the edge wants the rate-limit state of an admitted call (response headers).
 */
public record Caller(ApiKey key, boolean admin, Consumer<RateLimit> onAdmitted) {
  /** No key (keys are off): nothing is checked or metered, and every call is allowed. */
  public static final Caller ANONYMOUS = new Caller(null, false, limit -> { });
  /** The administrator's token, accepted on administrative routes (the repository API) only: no inference. */
  public static final Caller ADMIN = new Caller(null, true, limit -> { });

  /** A caller with an API key. */
  public Caller(ApiKey key, Consumer<RateLimit> onAdmitted) {
    this(key, false, onAdmitted);
  }

  /** What the caller's requests ask of the workers' queues: its key's, or the default one without a key. */
  public QueueShare queueShare() {
    return key == null ? QueueShare.DEFAULT : key.queueShare();
  }

  /** The flow the workers' fair queues serve the caller's requests in: its key's id, "" without a key. */
  public String tenant() {
    return key == null ? "" : key.id();
  }

  public boolean isAnonymous() {
    return key == null && !admin;
  }

  /**
   * Whether the caller may load and unload models: the administrator, anyone when keys are off, or a key with
   * the {@link Scopes#REPOSITORY} scope. The one check of the repository API on every edge.
   */
  public boolean mayManageRepository() {
    return key == null || key.has(Scopes.REPOSITORY);
  }
}
