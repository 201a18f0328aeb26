package io.maas.config;

import io.vertx.core.json.JsonObject;

/**
 * Mutual TLS on the event bus between members (settings under {@code cluster.tls.*}): every member presents a
 * certificate from the cluster's CA and accepts only peers that do, so a process without one can neither
 * receive work nor send it. Hazelcast's own traffic is not covered (its open-source edition has no TLS):
 * docs/configuration.md says what it carries.
 *
 * @param certFile this member's PEM certificate chain; "" for a plaintext bus
 * @param keyFile the PEM private key of that certificate
 * @param caFile PEM certificates of the cluster's CA: the only issuer whose members this one talks to
 */
public record ClusterTls(String certFile, String keyFile, String caFile) {
  /** A plaintext event bus. */
  public static final ClusterTls OFF = new ClusterTls("", "", "");

  public ClusterTls {
    if (!(certFile.isEmpty() == keyFile.isEmpty() && keyFile.isEmpty() == caFile.isEmpty())) {
      throw new IllegalArgumentException("cluster.tls.cert_file, key_file and ca_file go together: set all three"
          + " (mutual TLS on the event bus) or none (plaintext)");
    }
  }

  /** Whether the event bus runs over mutual TLS. */
  public boolean enabled() {
    return !certFile.isEmpty();
  }

  static ClusterTls fromJson(JsonObject tls) {
    return new ClusterTls(ConfigValues.text(tls, "cluster.tls", "cert_file"),
        ConfigValues.text(tls, "cluster.tls", "key_file"), ConfigValues.text(tls, "cluster.tls", "ca_file"));
  }
}
