package io.maas.gateway.edge;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The request id every edge takes from its client ({@code X-Request-Id} on REST, {@code x-request-id} metadata on
 * gRPC): kept when it is a sane one, 1 to 128 of {@code A-Z a-z 0-9 . _ : -}, so that it can go into log lines and
 * response headers as it is; anything else (missing, empty, too long, spaces, control characters) is replaced by a
 * fresh random UUID. The edge echoes the id it uses in its response.
 */
public final class RequestIds {
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private RequestIds() {}

  /** The client's id when it is a sane one, else a fresh one. */
  public static String accept(String given) {
    return given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
  }
}
