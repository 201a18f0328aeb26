package io.maas.bench.load;

import io.vertx.core.Future;

/**
 * One way of sending the same inference request again and again (REST JSON, REST binary, gRPC). Each
 * {@link #send()} is one request; it succeeds when the server answered with success and fails with a
 * short message otherwise. Called only from the load generator's event loop.
 */
public interface Transport {
  /** Sends one request; completes when its whole answer was read. */
  Future<Void> send();

  /** Rows (sequences) each request carries along the batch dimension. */
  int itemsPerRequest();

  /** A short name for tables: {@code rest-json}, {@code rest-binary}, {@code grpc}. */
  String name();

  Future<Void> close();
}
