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

  /**
   * The connections this transport has opened so far (each a TCP connect, and with TLS a handshake): read before
   * and after a window, whether it reused its connections; -1 when it does not count them.
   */
  default long connectionsOpened() {
    return -1;
  }

  /**
   * The TLS protocol and cipher suite of the last connection opened ({@code TLSv1.3 TLS_AES_128_GCM_SHA256});
   * empty when it was plaintext, or not known.
   */
  default String tlsSession() {
    return "";
  }

  Future<Void> close();
}
