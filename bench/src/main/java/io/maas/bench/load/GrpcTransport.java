package io.maas.bench.load;

import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.util.Optional;

/**
 * KServe V2 {@code inference.GRPCInferenceService/ModelInfer} through the Vert.x gRPC client: unary calls
 * multiplexed as HTTP/2 streams over one connection per gateway, with the target's API key as metadata
 * {@code authorization: Bearer <key>}. With several gateways, each call goes to the next one in turn. A
 * status other than OK is a failure. Plaintext ports get HTTP/2 by prior knowledge (no upgrade); TLS ports
 * HTTP/2 by ALPN, trusting the target's CA only.
 */
public final class GrpcTransport implements Transport {
  static final ServiceMethod<ModelInferResponse, ModelInferRequest> MODEL_INFER = ServiceMethod.client(
      ServiceName.create("inference.GRPCInferenceService"), "ModelInfer",
      GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(ModelInferResponse.newBuilder()));

  private final HttpClient http;
  private final GrpcClient client;
  private final RoundRobin<SocketAddress> servers;
  private final Optional<String> authorization;
  private final ModelInferRequest request;
  private final int items;
  private final OpenedConnections opened = new OpenedConnections();

  public GrpcTransport(Vertx vertx, Target target, String model, InferPayload payload) {
    HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setTcpNoDelay(true);
    target.ca().ifPresent(ca -> RestTransport.trusting(options, ca));
    this.http = vertx.httpClientBuilder().with(options)
        .withConnectHandler(opened::opened).build();
    this.client = GrpcClient.client(vertx, http);
    this.servers = new RoundRobin<>(target.grpcPorts().stream()
        .map(port -> SocketAddress.inetSocketAddress(port, "127.0.0.1")).toList());
    this.authorization = target.authorization();
    this.request = payload.grpc(model);
    this.items = payload.rows();
  }

  @Override
  public Future<Void> send() {
    return client.request(servers.next(), MODEL_INFER)
        .compose(req -> {
          authorization.ifPresent(a -> req.headers().set("authorization", a));
          return req.send(request);
        })
        .compose(resp -> resp.last())
        .recover(e -> Future.failedFuture("gRPC: " + Errors.shorten(String.valueOf(e.getMessage()))))
        .mapEmpty();
  }

  @Override
  public int itemsPerRequest() {
    return items;
  }

  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public long connectionsOpened() {
    return opened.count();
  }

  @Override
  public String tlsSession() {
    return opened.session();
  }

  /** Closes the gRPC client and its HTTP client, which a gRPC client given one leaves open (and its connection). */
  @Override
  public Future<Void> close() {
    return client.close().eventually(http::close);
  }
}
