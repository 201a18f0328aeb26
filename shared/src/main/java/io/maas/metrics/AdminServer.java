package io.maas.metrics;

import io.maas.error.MaasException;
import io.maas.http.ErrorFormat;
import io.maas.http.MalformedRequests;
import io.maas.tls.TlsMaterial;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.ServerSSLOptions;

/**
 * The admin port of every maas process (Triton's metrics port, 8002 by default): {@code GET /metrics} in
 * Prometheus' text format with no token, and anything else handed to the process's other admin API (a
 * gateway's key API, behind its own token) or answered 404.
 */
public final class AdminServer {
  public static final String METRICS_PATH = "/metrics";

  private AdminServer() {}

  /**
   * Starts the server; a port already taken fails it with a message naming the settings to change.
   *
   * @param settings the configuration keys of this host and port, for that message
   * @param others what answers every other request; null: 404
   */
  public static Future<HttpServer> listen(Vertx vertx, String host, int port, String settings, ProcessMetrics metrics,
      Handler<HttpServerRequest> others) {
    return listen(vertx, host, port, settings, metrics, others, null);
  }

  /**
   * Starts the server, over TLS when {@code tls} is given.
   *
   * @param tls the port's TLS options ({@link TlsMaterial#sslOptions}); null: plaintext
   */
  public static Future<HttpServer> listen(Vertx vertx, String host, int port, String settings, ProcessMetrics metrics,
      Handler<HttpServerRequest> others, ServerSSLOptions tls) {
    Handler<HttpServerRequest> rest = others == null ? AdminServer::notFound : MalformedRequests.checkingPaths(others);
    HttpServerOptions options = TlsMaterial.configure(new HttpServerOptions().setHost(host).setPort(port), tls);
    return MalformedRequests.answeredOn(vertx.createHttpServer(options))
        .requestHandler(request -> {
          if (METRICS_PATH.equals(request.path()) && request.method() == HttpMethod.GET) {
            // the scrape reads live gauges (queue depths): cheap, never blocking
            request.response().putHeader("Content-Type", ProcessMetrics.CONTENT_TYPE).end(metrics.scrape());
          } else {
            rest.handle(request);
          }
        })
        .listen()
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot serve /metrics on " + host + ":" + port
            + " (" + settings + "; processes sharing a host need a port each): " + e.getMessage(), e)));
  }

  private static void notFound(HttpServerRequest request) {
    ErrorFormat.MAAS.respond(request.response(),
        MaasException.notFound("no such endpoint: this port serves GET %s", METRICS_PATH));
  }
}
