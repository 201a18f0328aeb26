package io.maas.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of certificate files for trying TLS ({@code java -jar maas-gateway.jar certs DIR}): a fresh CA with a server
 * certificate for this machine's names and a client certificate, and a second CA, the cluster's, with a member
 * certificate. The cluster has a CA of its own because every certificate its CA issued is a member: a client
 * certificate from it would get onto the event bus.
 * For tests, the bench and the README's examples; production certificates come from an organisation's CA.
 *
 * @param dir the directory holding the files
 */
public record TestCertificates(Path dir) {
  /** Names a server certificate is valid for unless more are given. */
  public static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1", "::1");
  static final Duration VALIDITY = Duration.ofDays(365);

  public Path ca() {
    return dir.resolve("ca.pem");
  }

  public Path caKey() {
    return dir.resolve("ca-key.pem");
  }

  public Path server() {
    return dir.resolve("server.pem");
  }

  public Path serverKey() {
    return dir.resolve("server-key.pem");
  }

  public Path client() {
    return dir.resolve("client.pem");
  }

  public Path clientKey() {
    return dir.resolve("client-key.pem");
  }

  /** The cluster's CA: {@code cluster.tls.ca_file}. */
  public Path clusterCa() {
    return dir.resolve("cluster-ca.pem");
  }

  public Path clusterCaKey() {
    return dir.resolve("cluster-ca-key.pem");
  }

  /** A member's certificate, from {@link #clusterCa()}. */
  public Path member() {
    return dir.resolve("member.pem");
  }

  public Path memberKey() {
    return dir.resolve("member-key.pem");
  }

  /**
   * Makes a CA and writes its certificate and key, and certificates it issues, into {@code dir} (created if need
   * be; files there of the same names are replaced).
   *
   * @param hosts names and addresses the server and member certificates are valid for, beside {@link #LOCAL_NAMES}
   */
  public static TestCertificates write(Path dir, List<String> hosts) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    TestCertificates files = new TestCertificates(dir);
    List<String> names = new ArrayList<>(LOCAL_NAMES);
    hosts.stream().filter(h -> !names.contains(h)).forEach(names::add);
    CertificateAuthority ca = CertificateAuthority.create("maas test CA", VALIDITY);
    ca.write(files.ca(), files.caKey());
    ca.issue("maas server", names, VALIDITY).write(files.server(), files.serverKey());
    ca.issue("maas client", List.of(), VALIDITY).write(files.client(), files.clientKey());
    CertificateAuthority cluster = CertificateAuthority.create("maas test cluster CA", VALIDITY);
    cluster.write(files.clusterCa(), files.clusterCaKey());
    cluster.issue("maas member", names, VALIDITY).write(files.member(), files.memberKey());
    return files;
  }
}
