package io.maas.gateway.tenancy;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Who makes an inference call: an authenticated key (or none when {@code gateway.auth_enabled} is false),
 * and where the edge wants the rate-limit state of an admitted call (response headers).
 */
public record Caller(ApiKey key, Consumer<Map<String, String>> onAdmitted) {
  /** No key: nothing is checked or metered. */
  public static final Caller ANONYMOUS = new Caller(null, m -> { });

  public boolean isAnonymous() {
    return key == null;
  }
}
