package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Gateways with keys on in a test cluster, and the calls a tenant and an operator make to them: creating and
 * revoking keys on the admin API, inference with a key, usage. Remembers every key it created, so that a test
 * can check that no process log holds one.
 */
final class Tenants {
  static final String ADMIN_TOKEN = "test-admin-token";
  private static final HttpClient HTTP = GatewayProcess.HTTP;

  private final ClusterHarness cluster;
  private final List<String> secrets = new ArrayList<>();

  Tenants(ClusterHarness cluster) {
    this.cluster = cluster;
  }

  /** A gateway with keys on, its admin API on the given port. */
  GatewayProcess gateway(String name, int adminPort) {
    return gateway(name, adminPort, name);
  }

  /** The same, keeping its keys in the data directory of the gateway named {@code dataOf} (a restart). */
  GatewayProcess gateway(String name, int adminPort, String dataOf) {
    return cluster.startGateway(name, "gateway.auth_enabled=true", "gateway.admin_port=" + adminPort,
        "gateway.admin_token=" + ADMIN_TOKEN, "gateway.data_dir=" + cluster.dir().resolve(dataOf + "-data"));
  }

  static HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return HTTP.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpRequest.Builder admin(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json");
  }

  /** Creates a key on a gateway's admin API; the full key (its secret included). */
  String createKey(int adminPort, String body) {
    HttpResponse<String> r = send(admin(adminPort, "/admin/keys").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(201, r.statusCode(), r.body());
    String key = new JsonObject(r.body()).getString("key");
    secrets.add(key);
    return key;
  }

  static HttpRequest.Builder infer(GatewayProcess g, String key) {
    return HttpRequest.newBuilder(g.uri(Traffic.SIMPLE)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Traffic.SIMPLE_BODY));
  }

  static int status(GatewayProcess g, String key) {
    return send(infer(g, key)).statusCode();
  }

  static String keyId(String key) {
    return key.split("_")[1];
  }

  static JsonObject usage(int adminPort, String key) {
    HttpResponse<String> r = send(admin(adminPort, "/admin/keys/" + keyId(key) + "/usage").GET());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonObject("usage");
  }

  /** Every log of the test's processes, scanned for each key created and for its secret part alone. */
  void assertNoSecretInLogs() throws IOException {
    try (Stream<Path> logs = Files.walk(cluster.dir())) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
        String text = Files.readString(log);
        for (String secret : secrets) {
          assertFalse(text.contains(secret), "a key secret appears in " + log);
          assertFalse(text.contains(secret.substring(18)), "a key secret appears in " + log);
        }
      }
    }
  }
}
