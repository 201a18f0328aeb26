package io.maas.config;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * TLS on the gateway's client-facing ports (settings under {@code gateway.tls.*}): REST, gRPC and the admin port
 * all serve TLS with one certificate when {@link #certFile} is set, plaintext otherwise (the quick start).
 *
 * @param certFile the server's PEM certificate chain (leaf first); "" for plaintext
 * @param keyFile the PEM private key of that certificate (PKCS#8, PKCS#1 RSA or SEC1 EC)
 * @param clientCaFile PEM certificates of the CAs that client certificates must chain to; needed when a port asks
 *     clients for certificates
 * @param adminClientAuth whether the admin port asks clients for a certificate (mutual TLS)
 * @param grpcClientAuth whether the gRPC port asks clients for a certificate (mutual TLS)
 * @param reloadSeconds how often the files are checked for changes; a change is served to new connections without
 *     a restart, open connections keep theirs
 */
public record ServerTls(String certFile, String keyFile, String clientCaFile, ClientAuth adminClientAuth,
    ClientAuth grpcClientAuth, int reloadSeconds) {
  private static final String SECTION = "gateway.tls";
  public static final int DEFAULT_RELOAD_SECONDS = 10;
  /** Plaintext on every port. */
  public static final ServerTls OFF = new ServerTls("", "", "", ClientAuth.NONE, ClientAuth.NONE, DEFAULT_RELOAD_SECONDS);

  public ServerTls {
    if (certFile.isEmpty() != keyFile.isEmpty()) {
      throw new IllegalArgumentException("gateway.tls.cert_file and gateway.tls.key_file go together: set both (TLS)"
          + " or neither (plaintext)");
    }
    boolean asksClients = adminClientAuth != ClientAuth.NONE || grpcClientAuth != ClientAuth.NONE;
    if (asksClients && certFile.isEmpty()) {
      throw new IllegalArgumentException("gateway.tls.admin_client_auth and grpc_client_auth need TLS:"
          + " set gateway.tls.cert_file and key_file");
    }
    if (asksClients && clientCaFile.isEmpty()) {
      throw new IllegalArgumentException("gateway.tls.client_ca_file must name the CA certificates that client"
          + " certificates chain to when admin_client_auth or grpc_client_auth is request or required");
    }
    if (reloadSeconds < 1) {
      throw new IllegalArgumentException("gateway.tls.reload_interval_s must be at least 1, not " + reloadSeconds);
    }
  }

  /** A server certificate with no client certificates asked for. */
  public static ServerTls of(String certFile, String keyFile) {
    return new ServerTls(certFile, keyFile, "", ClientAuth.NONE, ClientAuth.NONE, DEFAULT_RELOAD_SECONDS);
  }

  /** Whether the ports serve TLS. */
  public boolean enabled() {
    return !certFile.isEmpty();
  }

  static ServerTls fromJson(JsonObject tls) {
    return new ServerTls(
        ConfigValues.text(tls, SECTION, "cert_file"),
        ConfigValues.text(tls, SECTION, "key_file"),
        ConfigValues.text(tls, SECTION, "client_ca_file"),
        clientAuth(tls, "admin_client_auth"),
        clientAuth(tls, "grpc_client_auth"),
        (int) ConfigValues.positiveLong(tls, SECTION, "reload_interval_s"));
  }

  private static ClientAuth clientAuth(JsonObject tls, String key) {
    String raw = ConfigValues.text(tls, SECTION, key).trim().toUpperCase(Locale.ROOT);
    try {
      return ClientAuth.valueOf(raw);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("gateway.tls." + key + " must be none, request or required, not "
          + tls.getValue(key));
    }
  }
}
