package io.maas.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the bench's own calls (health, readiness, the key API, {@code /metrics}) reach a node's ports on 127.0.0.1:
 * plaintext, or TLS trusting only the CA its certificate chains to ({@code gateway.tls} puts every client port of a
 * gateway, admin included, on TLS).
 *
 * @param ca the PEM CA certificate to trust; empty: plaintext
 */
record Loopback(Optional<Path> ca) {
  static final Loopback PLAINTEXT = new Loopback(Optional.empty());

  static Loopback trusting(Path ca) {
    return new Loopback(Optional.of(ca));
  }

  boolean tls() {
    return ca.isPresent();
  }

  /** {@code http://} or {@code https://127.0.0.1:<port><path>}. */
  URI uri(int port, String path) {
    return URI.create((tls() ? "https" : "http") + "://127.0.0.1:" + port + path);
  }

  /**
   * A JDK client for one or a few calls, HTTP/1.1 (with the default, HTTP/2 by an h2c upgrade, a send was seen to
   * hang past its timeout); with TLS, the server's certificate must chain to the CA and name 127.0.0.1.
   */
  HttpClient client() {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
    ca.ifPresent(c -> b.sslContext(sslContext(c)));
    return b.build();
  }

  /** A TLS context trusting the certificates of this PEM file, and nothing else. */
  static SSLContext sslContext(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException("no certificate in " + caPem);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + caPem, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust " + caPem + ": " + e.getMessage(), e);
    }
  }
}
