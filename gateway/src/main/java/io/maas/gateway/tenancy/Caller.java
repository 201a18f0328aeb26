package io.maas.gateway.tenancy;

import java.util.function.Consumer;

/**
 * Who makes an inference call: an authenticated key (or none when {@code gateway.auth_enabled} is false),
 * and where the edge wants the rate-limit state of an admitted call (response headers).
 */
public record Caller(ApiKey key, Consumer<RateLimit> onAdmitted) {
  /** No key: nothing is checked or metered. */
  public static final Caller ANONYMOUS = new Caller(null, limit -> { });

  public boolean isAnonymous() {
    return key == null;
  }
}
