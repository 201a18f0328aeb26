package io.maas.gateway.edge;

import java.util.function.Function;

/**
 * What a client presents as its credential, read the same way on every edge: {@code Authorization: Bearer <token>}
 * (the scheme in any case, as RFC 7235 says), else {@code X-API-Key: <token>}. The token is handed on as sent;
 * whoever checks it trims it ({@code Admission.authenticate}, {@code AdminToken.matches}). Header names are looked
 * up in lower case, which HTTP/1.1 headers (case-insensitive) and HTTP/2 and gRPC metadata (lower case) all answer.
 */
public final class Credentials {
  public static final String AUTHORIZATION = "authorization";
  public static final String API_KEY = "x-api-key";
  private static final String BEARER = "Bearer ";

  private Credentials() {}

  /**
   * The bearer token, else the API key header; null when the request has neither (an {@code Authorization} of another
   * scheme, e.g. {@code Basic}, counts as none).
   *
   * @param header a request header's value by its lower-case name, null when absent
   */
  public static String from(Function<String, String> header) {
    String bearer = bearer(header.apply(AUTHORIZATION));
    return bearer != null ? bearer : header.apply(API_KEY);
  }

  /** The token of an {@code Authorization} value of the {@code Bearer} scheme, or null (absent, other scheme). */
  public static String bearer(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
        ? authorization.substring(BEARER.length()) : null;
  }
}
