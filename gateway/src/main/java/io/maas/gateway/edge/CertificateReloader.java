package io.maas.gateway.edge;

import io.maas.config.ServerTls;
import io.maas.tls.TlsMaterial;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the {@code gateway.tls.*} files' certificate on the gateway's TLS ports and follows their changes: every
 * {@code reload_interval_s} it reads the files, and when their contents changed and check out ({@link TlsMaterial}),
 * it hands the new certificate to every port. New connections get it; open ones keep theirs (nothing is dropped).
 * Files that changed but do not check out (expired, the key of another certificate, half-written) leave the
 * certificate served in place: the error is logged once, if the files stay that way at the next check, so that a
 * rotation caught between writing the certificate and its key is not reported.
 */
public final class CertificateReloader {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  private final Vertx vertx;
  private final ServerTls config;
  private final List<Port> ports = new ArrayList<>();
  private TlsMaterial material;
  private byte[] served;
  private byte[] failing;
  private boolean reported;
  private long timer = -1;
  private final Counter renewed;
  private final Counter refused;

  private record Port(HttpServer server, ClientAuth clientAuth) {}

  private CertificateReloader(Vertx vertx, ServerTls config, TlsMaterial material, byte[] fingerprint,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.material = material;
    this.served = fingerprint;
    Gauge.builder("maas.gateway.tls.certificate.expiry", this, r -> r.material.certificate().getNotAfter().getTime() / 1e3)
        .description("When the certificate served to new connections expires (Unix time)")
        .baseUnit("seconds").register(registry);
    renewed = reloads(registry, "renewed");
    refused = reloads(registry, "refused");
  }

  private static Counter reloads(MeterRegistry registry, String outcome) {
    return Counter.builder("maas.gateway.tls.reloads").tag("outcome", outcome)
        .description("Changes of the gateway.tls files: renewed (served to new connections) or refused (the old"
            + " certificate stays)").register(registry);
  }

  /**
   * Reads and checks the files at start.
   *
   * @throws IllegalArgumentException naming the setting and the file that is wrong: the gateway does not start
   */
  public static CertificateReloader start(Vertx vertx, ServerTls config, MeterRegistry registry) {
    byte[] fingerprint = fingerprint(config);
    TlsMaterial material = TlsMaterial.read(config);
    X509Certificate certificate = material.certificate();
    LOG.info("TLS on the gateway's ports with {} (issued by {}, valid until {}); gateway.tls files checked every {} s",
        certificate.getSubjectX500Principal().getName(), certificate.getIssuerX500Principal().getName(),
        certificate.getNotAfter().toInstant(), config.reloadSeconds());
    return new CertificateReloader(vertx, config, material, fingerprint, registry);
  }

  /** The certificate served to new connections now, and its trust settings. */
  public TlsMaterial material() {
    return material;
  }

  /** Hands later changes to {@code server}, which was started with {@link #material()}. */
  public void follow(HttpServer server, ClientAuth clientAuth) {
    ports.add(new Port(server, clientAuth));
    if (timer < 0) {
      timer = vertx.setPeriodic(config.reloadSeconds() * 1000L, id -> check());
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    vertx.executeBlocking(() -> {
      byte[] now = fingerprint(config);
      if (Arrays.equals(now, served)) {
        return null;
      }
      try {
        return new Read(now, TlsMaterial.read(config), null);
      } catch (IllegalArgumentException e) {
        return new Read(now, null, e.getMessage());
      }
    }, false).onSuccess(read -> {
      if (read != null) {
        apply(read);
      }
    });
  }

  private record Read(byte[] fingerprint, TlsMaterial material, String error) {}

  private void apply(Read read) {
    if (read.error() != null) {
      if (!Arrays.equals(read.fingerprint(), failing)) {
        failing = read.fingerprint(); // first seen: reported if the files still read so at the next check
        reported = false;
        return;
      }
      if (!reported) {
        reported = true;
        refused.increment();
        LOG.error("gateway.tls files changed but cannot be served, so new connections keep getting {} (valid until {}):"
            + " {}", material.certificate().getSubjectX500Principal().getName(),
            material.certificate().getNotAfter().toInstant(), read.error());
      }
      return;
    }
    failing = null;
    served = read.fingerprint();
    material = read.material();
    renewed.increment();
    Future.all(ports.stream().map(p -> p.server().updateSSLOptions(material.sslOptions(p.clientAuth()), true)).toList())
        .onSuccess(v -> LOG.info("gateway.tls files changed: new connections now get {} (valid until {})",
            material.certificate().getSubjectX500Principal().getName(), material.certificate().getNotAfter().toInstant()))
        .onFailure(e -> LOG.error("gateway.tls: the new certificate could not be handed to every port: {}", e.toString()));
  }

  /** A digest of the files' contents; a file that cannot be read counts as its error text. */
  private static byte[] fingerprint(ServerTls config) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      Stream.of(config.certFile(), config.keyFile(), config.clientCaFile()).filter(f -> !f.isEmpty()).forEach(f -> {
        try {
          digest.update(Files.readAllBytes(Path.of(f)));
        } catch (IOException e) {
          digest.update(e.toString().getBytes(StandardCharsets.UTF_8));
        }
        digest.update((byte) 0);
      });
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
