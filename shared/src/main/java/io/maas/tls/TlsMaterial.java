package io.maas.tls;

import io.maas.config.ServerTls;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * What a TLS server presents and whom it trusts, read once from the {@code gateway.tls.*} files and checked
 * ({@link PemFiles}), with the protocol policy every maas TLS server shares: TLS 1.2 and 1.3 only, and only
 * forward-secret AEAD cipher suites (Mozilla's "intermediate" list, less the finite-field DHE suites).
 *
 * @param keyCert the server's certificate chain and key, as checked
 * @param clientCas the CAs client certificates must chain to; null when no port asks for client certificates
 * @param certificate the certificate presented (the chain's first)
 */
public record TlsMaterial(PemKeyCertOptions keyCert, PemTrustOptions clientCas, X509Certificate certificate) {
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /**
   * Reads and checks the files {@code config} names.
   *
   * @throws IllegalArgumentException naming the setting and the file that is wrong
   */
  public static TlsMaterial read(ServerTls config) {
    PemKeyCertOptions keyCert = PemFiles.keyCert("gateway.tls.cert_file", Path.of(config.certFile()),
        "gateway.tls.key_file", Path.of(config.keyFile()));
    PemTrustOptions cas = config.clientCaFile().isEmpty() ? null
        : PemFiles.trust("gateway.tls.client_ca_file", Path.of(config.clientCaFile()));
    return new TlsMaterial(keyCert, cas, PemFiles.leaf(keyCert));
  }

  /** The options of a server port asking clients for certificates as {@code clientAuth} says. */
  public ServerSSLOptions sslOptions(ClientAuth clientAuth) {
    ServerSSLOptions options = new ServerSSLOptions()
        .setKeyCertOptions(keyCert.copy())
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setClientAuth(clientAuth)
        .setUseAlpn(true);
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    if (clientAuth != ClientAuth.NONE) {
      options.setTrustOptions(clientCas.copy());
    }
    return options;
  }

  /**
   * Sets {@code ssl} on a server's options (HTTP/2 offered by ALPN, HTTP/1.1 beside it); null leaves them
   * plaintext.
   */
  public static HttpServerOptions configure(HttpServerOptions options, ServerSSLOptions ssl) {
    if (ssl == null) {
      return options;
    }
    options.setSsl(true)
        .setUseAlpn(true)
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
        .setClientAuth(ssl.getClientAuth());
    ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
    if (ssl.getTrustOptions() != null) {
      options.setTrustOptions(ssl.getTrustOptions());
    }
    return options;
  }
}
