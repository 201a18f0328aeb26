package io.maas.gateway;

import io.maas.config.ClusterConfig;
import io.maas.config.GatewayConfig;
import io.maas.config.MaasConfig;
import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import io.maas.config.TenancyConfig;
import io.maas.config.WorkerConfig;
import io.maas.node.MaasNode;
import io.vertx.core.buffer.Buffer;
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
import java.util.List;
import java.util.UUID;

/**
 * A real standalone node (clustered Vert.x on its own single-member Hazelcast cluster, gateway and one
 * CPU worker) on 127.0.0.1 and random REST and gRPC ports, with an HTTP client for it.
 */
public final class RunningNode implements AutoCloseable {
  public static final long MAX_BODY_BYTES = 1 << 20;

  public final MaasNode node;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public RunningNode(MaasConfig config, MaasNode.Mode mode) {
    this.config = withOwnDataDir(config);
    this.node = MaasNode.start(this.config, mode).await();
  }

  /** A node left with the default data directory gets one of its own, never the source tree's. */
  private static MaasConfig withOwnDataDir(MaasConfig c) {
    if (!c.tenancy().dataDir().equals(TenancyConfig.DISABLED.dataDir())) {
      return c;
    }
    try {
      Path dir = Files.createTempDirectory("maas-node-data");
      TenancyConfig t = c.tenancy();
      return new MaasConfig(c.gateway(), c.worker(), c.cluster(),
          new TenancyConfig(t.authEnabled(), t.adminHost(), t.adminPort(), t.adminToken(), dir), c.metrics());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  final MaasConfig config;

  public static RunningNode start(Path repository) throws Exception {
    RunningNode n = new RunningNode(config(repository, "maas-test-" + UUID.randomUUID()), MaasNode.Mode.STANDALONE);
    n.awaitReady(Duration.ofSeconds(60));
    return n;
  }

  /** A test configuration: loopback only, a random REST port, a cluster of its own. */
  /** The model repository the node serves. */
  public Path repository() {
    return config.worker().modelRepository();
  }

  public static MaasConfig config(Path repository, String clusterName) {
    return new MaasConfig(
        new GatewayConfig("127.0.0.1", 0, 0, MAX_BODY_BYTES, 1 << 20, 20_000),
        new WorkerConfig(repository, List.of(new SlotConfig("cpu", List.of(), new SessionConfig(2, 1, "all"))), 200, 0),
        new ClusterConfig(clusterName, "127.0.0.1", 5801, List.of("127.0.0.1"), ""));
  }

  /** Polls /v2/health/ready until 200 or the deadline. */
  public void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (get("/v2/health/ready").statusCode() == 200) {
        return;
      }
      node.vertx().timer(50).await();
    }
    throw new AssertionError("node not ready within " + timeout);
  }

  /** The gRPC port, for a client channel to 127.0.0.1. */
  /** The node's gateway verticle. */
  public GatewayVerticle gateway() {
    return node.deployed(GatewayVerticle.class);
  }

  public int grpcPort() {
    return node.grpcPort();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + node.httpPort() + path);
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public static JsonObject json(HttpResponse<String> r) {
    return Buffer.buffer(r.body()).toJsonObject();
  }

  @Override
  public void close() {
    node.close().await();
  }
}
