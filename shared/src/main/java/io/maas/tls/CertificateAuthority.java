package io.maas.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * A certificate authority made in-process (EC P-256 keys, ECDSA-SHA256 signatures): it issues server, client and
 * cluster-member certificates for tests, the bench and {@code maas certs}. Nothing is downloaded; nothing here is
 * meant for production, where an organisation's own CA issues the certificates.
 */
public final class CertificateAuthority {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Issued self;

  private CertificateAuthority(Issued self) {
    this.self = self;
  }

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, KeyPair keys) {
    /**
     * A certificate (the file's first) and its private key, read from PEM files, unchecked.
     *
     * @throws IllegalArgumentException naming the file that cannot be read
     */
    public static Issued read(Path certFile, Path keyFile) {
      X509Certificate certificate = PemFiles.certificates("certificate", certFile).get(0);
      PrivateKey key = PemFiles.privateKey("private key", keyFile);
      return new Issued(certificate, new KeyPair(certificate.getPublicKey(), key));
    }

    /** Writes the certificate (PEM) and the private key (PKCS#8 PEM, readable by its owner only). */
    public void write(Path certFile, Path keyFile) {
      writePem(certFile, certificate);
      try {
        Files.deleteIfExists(keyFile);
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the file is written with the default permissions
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        writePem(keyFile, new JcaPKCS8Generator(keys.getPrivate(), null));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot encode the private key for " + keyFile + ": " + e.getMessage(), e);
      }
    }
  }

  /** A new self-signed CA valid from now for {@code validity}. */
  public static CertificateAuthority create(String name, Duration validity) {
    KeyPair keys = newKeys();
    Instant now = Instant.now();
    X500Name subject = name(name);
    try {
      JcaX509v3CertificateBuilder builder = builder(subject, subject, keys, now.minusSeconds(60), now.plus(validity));
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return new CertificateAuthority(new Issued(sign(builder, keys), keys));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
    }
  }

  /**
   * A CA written before ({@link #write}): its certificate and private key files.
   *
   * @throws IllegalArgumentException naming the file that cannot be read
   */
  public static CertificateAuthority read(Path certFile, Path keyFile) {
    return new CertificateAuthority(Issued.read(certFile, keyFile));
  }

  /** The CA's key pair: to keep it, or issue more certificates later. */
  public KeyPair keys() {
    return self.keys();
  }

  /** The CA's own certificate (what peers trust). */
  public X509Certificate certificate() {
    return self.certificate();
  }

  /** Writes the CA's certificate and its private key, to issue more certificates with later. */
  public void write(Path certFile, Path keyFile) {
    self.write(certFile, keyFile);
  }

  /**
   * A certificate for servers and clients alike (a cluster member is both), valid from now for {@code validity}.
   *
   * @param hosts DNS names and IP addresses it is valid for (subject alternative names); may be empty for a
   *     client
   */
  public Issued issue(String commonName, List<String> hosts, Duration validity) {
    Instant now = Instant.now();
    return issue(commonName, hosts, now.minusSeconds(60), now.plus(validity));
  }

  /** A certificate valid between two instants: an expired one for tests, too. */
  public Issued issue(String commonName, List<String> hosts, Instant notBefore, Instant notAfter) {
    KeyPair keys = newKeys();
    try {
      JcaX509v3CertificateBuilder builder = builder(X500Name.getInstance(self.certificate().getSubjectX500Principal().getEncoded()),
          name(commonName), keys, notBefore, notAfter);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.authorityKeyIdentifier, false,
              extensions.createAuthorityKeyIdentifier(self.certificate()))
          .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
      if (!hosts.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(hosts));
      }
      return new Issued(sign(builder, self.keys()), keys);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
    }
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys,
      Instant notBefore, Instant notAfter) {
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static GeneralNames alternativeNames(List<String> hosts) {
    List<GeneralName> names = new ArrayList<>();
    for (String host : hosts) {
      boolean ip = host.matches("[0-9.]+") || host.contains(":");
      names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, ip ? literal(host) : host));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static String literal(String ip) {
    try {
      return InetAddress.getByName(ip).getHostAddress();
    } catch (IOException e) {
      throw new IllegalArgumentException("not an IP address: " + ip);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
    try {
      ContentSigner signature = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signature));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
    }
  }

  private static void writePem(Path file, Object pem) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      if (pem instanceof PemObjectGenerator generator) {
        writer.writeObject(generator);
      } else {
        writer.writeObject(pem);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Files.writeString(file, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
