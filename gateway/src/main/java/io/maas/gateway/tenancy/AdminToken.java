package io.maas.gateway.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The administrator's bearer token: compared in constant time, never logged. */
public final class AdminToken {
  private final byte[] token;

  AdminToken(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether a bearer token given by a client is this one (null or blank never is). */
  public boolean matches(String given) {
    byte[] bytes = given == null ? new byte[0] : given.trim().getBytes(StandardCharsets.UTF_8);
    return bytes.length > 0 && MessageDigest.isEqual(bytes, token);
  }

  @Override
  public String toString() {
    return "AdminToken[hidden]";
  }
}
