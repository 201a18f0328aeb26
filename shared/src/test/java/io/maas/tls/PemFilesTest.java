package io.maas.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {
  @TempDir
  Path dir;

  @Test
  void aGoodPairIsServedFromTheBytesThatWereChecked() throws Exception {
    TestCertificates files = TestCertificates.write(dir, List.of("gw.example"));
    PemKeyCertOptions options = PemFiles.keyCert("gateway.tls.cert_file", files.server(), "gateway.tls.key_file",
        files.serverKey());
    byte[] checked = Files.readAllBytes(files.server());
    Files.writeString(files.server(), "changed after the check");
    assertEquals(new String(checked), options.getCertValues().get(0).toString());
    assertEquals("CN=maas server", PemFiles.leaf(options).getSubjectX500Principal().getName());
    assertTrue(PemFiles.leaf(options).getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("gw.example")));
  }

  @Test
  void anExpiredCertificateIsRefusedNamingTheFile() {
    CertificateAuthority ca = CertificateAuthority.create("ca", Duration.ofDays(1));
    Instant now = Instant.now();
    ca.issue("old", List.of("localhost"), now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)))
        .write(dir.resolve("old.pem"), dir.resolve("old-key.pem"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PemFiles.keyCert(
        "gateway.tls.cert_file", dir.resolve("old.pem"), "gateway.tls.key_file", dir.resolve("old-key.pem")));
    assertTrue(e.getMessage().startsWith("gateway.tls.cert_file (" + dir.resolve("old.pem") + ")"), e.getMessage());
    assertTrue(e.getMessage().contains("expired on"), e.getMessage());
  }

  @Test
  void aCertificateNotYetValidIsRefused() {
    CertificateAuthority ca = CertificateAuthority.create("ca", Duration.ofDays(30));
    Instant now = Instant.now();
    ca.issue("early", List.of(), now.plus(Duration.ofDays(2)), now.plus(Duration.ofDays(3)))
        .write(dir.resolve("c.pem"), dir.resolve("k.pem"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PemFiles.keyCert("c", dir.resolve("c.pem"), "k", dir.resolve("k.pem")));
    assertTrue(e.getMessage().contains("is not valid before"), e.getMessage());
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    TestCertificates files = TestCertificates.write(dir, List.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PemFiles.keyCert(
        "gateway.tls.cert_file", files.server(), "gateway.tls.key_file", files.clientKey()));
    assertTrue(e.getMessage().startsWith("gateway.tls.key_file (" + files.clientKey() + ") is not the private key"),
        e.getMessage());
  }

  @Test
  void missingAndGarbledFilesAreRefusedNamingThem() throws Exception {
    TestCertificates files = TestCertificates.write(dir, List.of());
    Path missing = dir.resolve("nope.pem");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PemFiles.keyCert("gateway.tls.cert_file", missing,
        "gateway.tls.key_file", files.serverKey())).getMessage().contains("(" + missing + ") cannot be read"));
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PemFiles.keyCert("gateway.tls.cert_file", garbage,
        "gateway.tls.key_file", files.serverKey())).getMessage().startsWith("gateway.tls.cert_file (" + garbage + ")"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PemFiles.keyCert("gateway.tls.cert_file",
        files.server(), "gateway.tls.key_file", files.server())).getMessage()
        .contains("holds no unencrypted PEM private key"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PemFiles.trust("cluster.tls.ca_file", garbage))
        .getMessage().startsWith("cluster.tls.ca_file (" + garbage + ")"));
  }

  @Test
  void aCaFileIsReadWhole() {
    TestCertificates files = TestCertificates.write(dir, List.of());
    assertEquals(1, PemFiles.trust("gateway.tls.client_ca_file", files.ca()).getCertValues().size());
  }
}
