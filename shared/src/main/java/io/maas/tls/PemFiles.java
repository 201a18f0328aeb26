package io.maas.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads PEM certificate, key and CA files and checks them before they are served: readable, parseable, in their
 * validity period, and the key the certificate's own. Every error names the setting and the file. The options it
 * returns hold the bytes it checked, so what is served is what was checked, however the files change after.
 */
public final class PemFiles {
  private PemFiles() {}

  /**
   * A certificate chain and its private key, checked.
   *
   * @param certSetting the configuration key naming the certificate file, for errors ({@code gateway.tls.cert_file})
   * @param keySetting the configuration key naming the key file
   * @throws IllegalArgumentException naming the setting and the file, when either is unreadable, not PEM, expired,
   *     not yet valid, an encrypted key, or a key that is not the certificate's
   */
  public static PemKeyCertOptions keyCert(String certSetting, Path certFile, String keySetting, Path keyFile) {
    byte[] certBytes = read(certSetting, certFile);
    byte[] keyBytes = read(keySetting, keyFile);
    List<X509Certificate> chain = certificates(certSetting, certFile, certBytes);
    checkValidity(certSetting, certFile, chain.get(0), Instant.now());
    PrivateKey key = privateKey(keySetting, keyFile, keyBytes);
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(keySetting + " (" + keyFile + ") is not the private key of the certificate in "
          + certSetting + " (" + certFile + ", " + chain.get(0).getSubjectX500Principal().getName() + ")");
    }
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(certBytes)).setKeyValue(Buffer.buffer(keyBytes));
  }

  /**
   * CA certificates that peers' certificates must chain to, checked.
   *
   * @throws IllegalArgumentException naming the setting and the file, when it is unreadable, holds no PEM
   *     certificate, or one of them has expired
   */
  public static PemTrustOptions trust(String setting, Path caFile) {
    byte[] bytes = read(setting, caFile);
    Instant now = Instant.now();
    for (X509Certificate ca : certificates(setting, caFile, bytes)) {
      checkValidity(setting, caFile, ca, now);
    }
    return new PemTrustOptions().addCertValue(Buffer.buffer(bytes));
  }

  /** The first certificate of a PEM file that {@link #keyCert} accepted: for logging what is served. */
  public static X509Certificate leaf(PemKeyCertOptions options) {
    return certificates("certificate", Path.of("(checked)"), options.getCertValues().get(0).getBytes()).get(0);
  }

  /** The certificates of a PEM file, unchecked. */
  static List<X509Certificate> certificates(String setting, Path file) {
    return certificates(setting, file, read(setting, file));
  }

  /** The unencrypted private key of a PEM file. */
  static PrivateKey privateKey(String setting, Path file) {
    return privateKey(setting, file, read(setting, file));
  }

  /** Why a file could not be read, in words (an exception's class name reads like a crash to an operator). */
  public static String why(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static byte[] read(String setting, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(setting + " (" + file + ") cannot be read: " + why(e));
    }
  }

  private static List<X509Certificate> certificates(String setting, Path file, byte[] pem) {
    try {
      List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem)).stream()
          .map(X509Certificate.class::cast).toList();
      if (!chain.isEmpty()) {
        return chain;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(setting + " (" + file + ") is not a PEM certificate file: " + e.getMessage());
    }
    throw new IllegalArgumentException(setting + " (" + file + ") holds no PEM certificate");
  }

  private static void checkValidity(String setting, Path file, X509Certificate certificate, Instant now) {
    Instant from = certificate.getNotBefore().toInstant();
    Instant until = certificate.getNotAfter().toInstant();
    String subject = certificate.getSubjectX500Principal().getName();
    if (now.isAfter(until)) {
      throw new IllegalArgumentException(setting + " (" + file + "): the certificate " + subject + " expired on " + until);
    }
    if (now.isBefore(from)) {
      throw new IllegalArgumentException(setting + " (" + file + "): the certificate " + subject
          + " is not valid before " + from);
    }
  }

  private static PrivateKey privateKey(String setting, Path file, byte[] pem) {
    Object parsed;
    try (PEMParser parser = new PEMParser(new StringReader(new String(pem, java.nio.charset.StandardCharsets.US_ASCII)))) {
      parsed = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(setting + " (" + file + ") is not a PEM private key: " + e.getMessage());
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (parsed instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(setting + " (" + file + ") holds a key this JVM cannot read: " + e.getMessage());
    }
    throw new IllegalArgumentException(setting + " (" + file + ") holds no unencrypted PEM private key (PKCS#8 "
        + "\"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\")" + (parsed == null ? "" : ", but a "
        + parsed.getClass().getSimpleName()));
  }

  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true; // a key type this check does not know: the TLS handshake is the check
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
