package io.maas.bench;

import io.maas.bench.load.GrpcTransport;
import io.maas.bench.load.InferPayload;
import io.maas.bench.load.RestTransport;
import io.maas.bench.load.Target;
import io.maas.bench.load.Transport;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/** The three ways the bench sends the same request to a gateway. */
enum Protocol {
  REST_JSON("rest-json"),
  REST_BINARY("rest-binary"),
  GRPC("grpc");

  final String label;

  Protocol(String label) {
    this.label = label;
  }

  /** A transport for this protocol; REST gets one pooled connection per request in flight. */
  Transport transport(Vertx vertx, Deployment d, String model, InferPayload payload, int inFlight) {
    return switch (this) {
      case REST_JSON -> RestTransport.json(vertx, target(d), model, payload, inFlight);
      case REST_BINARY -> RestTransport.binary(vertx, target(d), model, payload, inFlight);
      case GRPC -> new GrpcTransport(vertx, target(d), model, payload);
    };
  }

  private static Target target(Deployment d) {
    return new Target(List.of(d.httpPort()), List.of(d.grpcPort()), Optional.empty());
  }
}
