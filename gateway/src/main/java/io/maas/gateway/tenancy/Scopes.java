package io.maas.gateway.tenancy;

import io.maas.error.MaasException;
import java.util.List;

/**
 * What an API key may do, beyond which models it may use: {@value #INFER} (inference on every edge) and
 * {@value #REPOSITORY} (the repository API's load and unload, otherwise the admin token's). A key stored
 * before scopes existed has none in its JSON and reads as {@link #DEFAULT}.
 */
public final class Scopes {
  public static final String INFER = "infer";
  public static final String REPOSITORY = "repository";
  /** Every known scope, in the order a key lists them. */
  public static final List<String> KNOWN = List.of(INFER, REPOSITORY);
  /** A new key's scopes, and an old key's. */
  public static final List<String> DEFAULT = List.of(INFER);

  private Scopes() {}

  /**
   * Scopes given to the admin API, checked: non-empty, each known; answered in {@link #KNOWN}'s order without
   * duplicates.
   */
  static List<String> checked(List<String> given) {
    if (given.isEmpty()) {
      throw MaasException.invalid("scopes must be a non-empty list of: %s", String.join(", ", KNOWN));
    }
    for (String s : given) {
      if (!KNOWN.contains(s)) {
        throw MaasException.invalid("unknown scope '%s': the scopes are %s",
            s.length() > 64 ? s.substring(0, 64) + "..." : s, String.join(", ", KNOWN));
      }
    }
    return KNOWN.stream().filter(given::contains).toList();
  }
}
