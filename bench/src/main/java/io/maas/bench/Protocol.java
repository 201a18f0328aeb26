package io.maas.bench;

import io.maas.bench.load.GrpcTransport;
import io.maas.bench.load.InferPayload;
import io.maas.bench.load.RestTransport;
import io.maas.bench.load.Transport;
import io.vertx.core.Vertx;

/** The three ways the bench sends the same request to a gateway. */
enum Protocol {
  REST_JSON("rest-json", "REST JSON"),
  REST_BINARY("rest-binary", "REST binary"),
  GRPC("grpc", "gRPC");

  /** For tables and plots. */
  final String label;
  /** For goals, in words. */
  final String title;

  Protocol(String label, String title) {
    this.label = label;
    this.title = title;
  }

  /**
   * A transport for this protocol to the deployment's gateways (in turns, if several), with its API key;
   * REST gets one pooled connection per request in flight (per gateway).
   */
  Transport transport(Vertx vertx, Deployment d, String model, InferPayload payload, int inFlight) {
    return switch (this) {
      case REST_JSON -> RestTransport.json(vertx, d.target(), model, payload, inFlight);
      case REST_BINARY -> RestTransport.binary(vertx, d.target(), model, payload, inFlight);
      case GRPC -> new GrpcTransport(vertx, d.target(), model, payload);
    };
  }
}
