package io.maas.cluster;

import io.maas.config.ClusterConfig;
import io.maas.config.ClusterTls;
import io.maas.tls.PemFiles;
import io.maas.tls.TlsMaterial;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import java.nio.file.Path;
import java.util.LinkedHashSet;

/**
 * The event bus's network options: where it listens, what it tells the other members, and, when
 * {@code cluster.tls.*} is set, mutual TLS.
 *
 * <p>With TLS, the bus's server presents this member's certificate and takes only clients that present one from
 * the cluster's CA ({@link ClientAuth#REQUIRED}); TLS 1.2 and 1.3 only. Vert.x builds the bus's client from these
 * same options ({@code new NetClientOptions(eventBusOptions.toJson())}, hostname verification off), so the member's
 * certificate is its client certificate too and, once trust-all is turned off (the bus's default is on), it trusts
 * only servers with a certificate from the same CA. The
 * PEM contents (not file names) are in the options, and they survive that JSON copy ({@code EventBusSettingsTest}):
 * what was checked at start is what both sides use.
 */
final class EventBusSettings {
  static final String CERT_SETTING = "cluster.tls.cert_file";
  static final String KEY_SETTING = "cluster.tls.key_file";
  static final String CA_SETTING = "cluster.tls.ca_file";

  private EventBusSettings() {}

  /**
   * @param address the member's IP address ({@link ClusterConfig#bindAddress()})
   * @throws IllegalArgumentException naming the setting and the file, when a TLS file is unreadable, not PEM, out
   *     of its validity period, or the key is not the certificate's
   */
  static EventBusOptions of(ClusterConfig cluster, String address) {
    EventBusOptions bus = new EventBusOptions().setHost(address).setPort(cluster.busPort());
    if (cluster.busPublicPort() > 0) {
      bus.setClusterPublicPort(cluster.busPublicPort());
    }
    ClusterTls tls = cluster.tls();
    if (tls.enabled()) {
      bus.setSsl(true)
          .setKeyCertOptions(PemFiles.keyCert(CERT_SETTING, Path.of(tls.certFile()), KEY_SETTING,
              Path.of(tls.keyFile())))
          .setTrustOptions(PemFiles.trust(CA_SETTING, Path.of(tls.caFile())))
          .setClientAuth(ClientAuth.REQUIRED)
          // EventBusOptions trusts every server by default (DEFAULT_TRUST_ALL = true, unlike NetClientOptions):
          // this member's messages would go to any server that asks for no client certificate
          .setTrustAll(false)
          .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsMaterial.PROTOCOLS));
      TlsMaterial.CIPHER_SUITES.forEach(bus::addEnabledCipherSuite);
    }
    return bus;
  }
}
