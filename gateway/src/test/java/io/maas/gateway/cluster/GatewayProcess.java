package io.maas.gateway.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A gateway-only maas process, with a plain HTTP client for its REST port. */
final class GatewayProcess {
  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  final ChildJvm jvm;
  final int httpPort;

  GatewayProcess(ChildJvm jvm, int httpPort) {
    this.jvm = jvm;
    this.httpPort = httpPort;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  /** The status of a GET, or -1 if nothing answers (not listening yet). */
  int status(String path) {
    try {
      return get(path).statusCode();
    } catch (UncheckedIOException e) {
      return -1;
    }
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  HttpResponse<String> post(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The line a gateway logs once its admin server (GET /metrics) listens (on a free port in these tests). */
  private static final java.util.regex.Pattern ADMIN =
      java.util.regex.Pattern.compile("admin server \\(GET /metrics[^)]*\\) listening on \\S+:(\\d+)");

  /** Its Prometheus exposition (GET /metrics on its admin server). */
  String metrics() {
    int port = Poll.until(Duration.ofSeconds(30), jvm.name() + " serves /metrics",
        () -> jvm.logMatches(ADMIN).stream().findFirst().map(m -> Integer.parseInt(m.group(1))));
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).GET().build()).body();
  }

  /** The value of a series of {@link #metrics()} with this name and label (e.g. {@code model="simple"}); 0 if absent. */
  double series(String name, String label) {
    return metrics().lines().filter(l -> l.startsWith(name + "{") && l.contains(label)).findFirst()
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(0.0);
  }

  /** Polls a GET until it answers this status. */
  GatewayProcess awaitStatus(String path, int expected, Duration timeout) {
    Poll.until(timeout, jvm.name() + " GET " + path + " answers " + expected, () -> {
      if (!jvm.isAlive()) {
        throw new AssertionError(jvm.name() + " exited with " + jvm.exitValue().orElse(-1));
      }
      return status(path) == expected;
    });
    return this;
  }

  /** Live: the REST server listens (ready needs a worker as well). */
  GatewayProcess awaitLive(Duration timeout) {
    return awaitStatus("/v2/health/live", 200, timeout);
  }
}
