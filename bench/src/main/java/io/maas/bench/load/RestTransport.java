package io.maas.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v2/models/<model>/infer} over HTTP/1.1 keep-alive connections of one Vert.x client, as
 * plain KServe V2 JSON or with the binary tensor data extension, with the target's API key as
 * {@code Authorization: Bearer}. With several gateways, each request goes to the next one in turn (each
 * gateway has a pool of its own). Any answer but 200 is a failure. When the target's ports speak TLS, the same
 * HTTP/1.1 runs over TLS (ALPN {@code http/1.1}), trusting the target's CA only: what changes is TLS, not the
 * protocol above it.
 */
public final class RestTransport implements Transport {
  private final HttpClient client;
  private final RoundRobin<RequestOptions> requests;
  private final Buffer body;
  private final int items;
  private final String name;
  private final OpenedConnections opened;

  private RestTransport(OpenedConnections opened, HttpClient client, List<RequestOptions> requests, Buffer body,
      int items, String name) {
    this.client = client;
    this.requests = new RoundRobin<>(requests);
    this.body = body;
    this.items = items;
    this.name = name;
    this.opened = opened;
  }

  /** Plain KServe V2 JSON. */
  public static RestTransport json(Vertx vertx, Target target, String model, InferPayload payload, int connections) {
    List<RequestOptions> r = options(target, model).stream()
        .map(o -> o.putHeader("Content-Type", "application/json")).toList();
    OpenedConnections opened = new OpenedConnections();
    return new RestTransport(opened, client(vertx, connections, target.ca(), opened), r, payload.json(),
        payload.rows(), "rest-json");
  }

  /** KServe V2 with the binary tensor data extension: binary inputs, every output as binary data. */
  public static RestTransport binary(Vertx vertx, Target target, String model, InferPayload payload,
      int connections) {
    List<RequestOptions> r = options(target, model).stream()
        .map(o -> o.putHeader("Content-Type", "application/octet-stream")
            .putHeader(InferPayload.HEADER_LENGTH, Integer.toString(payload.binaryHeaderLength()))).toList();
    OpenedConnections opened = new OpenedConnections();
    return new RestTransport(opened, client(vertx, connections, target.ca(), opened), r, payload.binary(),
        payload.rows(), "rest-binary");
  }

  /** One request per gateway of the target, carrying its key. */
  private static List<RequestOptions> options(Target target, String model) {
    return target.httpPorts().stream().map(port -> {
      RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
          .setURI("/v2/models/" + model + "/infer");
      target.authorization().ifPresent(a -> o.putHeader("Authorization", a));
      return o;
    }).toList();
  }

  private static HttpClient client(Vertx vertx, int connections, Optional<Path> ca, OpenedConnections opened) {
    HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
        .setKeepAlive(true).setPipelining(false).setTcpNoDelay(true);
    ca.ifPresent(c -> trusting(options, c));
    return vertx.httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(connections))
        .withConnectHandler(opened::opened).build();
  }

  /**
   * TLS on a client's options, trusting only this PEM CA certificate (the server's name is checked: maas's test
   * certificates are valid for 127.0.0.1); ALPN offers what the options' protocol version says.
   */
  static HttpClientOptions trusting(HttpClientOptions options, Path ca) {
    return options.setSsl(true).setUseAlpn(true).setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()));
  }

  @Override
  public Future<Void> send() {
    return client.request(requests.next())
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.<Void>succeededFuture()
            : Future.failedFuture("HTTP " + resp.statusCode() + ": " + Errors.shorten(b.toString()))));
  }

  @Override
  public int itemsPerRequest() {
    return items;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long connectionsOpened() {
    return opened.count();
  }

  @Override
  public String tlsSession() {
    return opened.session();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
