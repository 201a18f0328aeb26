package io.maas.gateway.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The key format {@code maas_<id>_<secret>}: an id of 12 alphanumerics (public, logged, listed) and a secret
 * of 32 random bytes in unpadded base64url. Only SHA-256(secret) is kept; checks compare hashes in constant time.
 */
public final class ApiKeys {
  public static final String PREFIX = "maas_";
  private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final int ID_LENGTH = 12;

  private ApiKeys() {}

  /** A freshly generated key: its id and the full token (to show once). */
  public record NewKey(String id, String token, String secretHash) {}

  /** A token split into its parts. */
  public record Parsed(String id, String secret) {}

  public static NewKey generate(SecureRandom random) {
    StringBuilder id = new StringBuilder(ID_LENGTH);
    for (int i = 0; i < ID_LENGTH; i++) {
      id.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String s = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new NewKey(id.toString(), PREFIX + id + "_" + s, sha256Hex(s));
  }

  /** The parts of a well-formed token; empty for anything else (never echoed back). */
  public static Optional<Parsed> parse(String token) {
    if (token == null || token.length() > 200 || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    int sep = token.indexOf('_', PREFIX.length());
    if (sep < 0 || sep == token.length() - 1) {
      return Optional.empty();
    }
    int idLength = sep - PREFIX.length();
    if (idLength < 8 || idLength > 32) {
      return Optional.empty();
    }
    for (int i = PREFIX.length(); i < sep; i++) {
      char c = token.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
        return Optional.empty();
      }
    }
    return Optional.of(new Parsed(token.substring(PREFIX.length(), sep), token.substring(sep + 1)));
  }

  /** Whether the secret hashes to the stored hash, compared in constant time. */
  public static boolean matches(String secret, String storedHex) {
    return matches(secret, HexFormat.of().parseHex(storedHex));
  }

  /** Whether the secret hashes to the stored hash's bytes, compared in constant time. */
  static boolean matches(String secret, byte[] storedHash) {
    return MessageDigest.isEqual(sha256(secret), storedHash);
  }

  static String sha256Hex(String s) {
    return HexFormat.of().formatHex(sha256(s));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
