package io.maas.bench.load;

import io.vertx.core.http.HttpConnection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;

/**
 * The connections a transport's HTTP client opened, and the TLS session the last one negotiated: what shows that
 * a measurement reused its connections, and what it ran over. Given to the client's connect handler.
 */
final class OpenedConnections {
  private final AtomicLong count = new AtomicLong();
  private final AtomicReference<String> session = new AtomicReference<>("");

  /** The connect handler: one more connection, and its session. */
  void opened(HttpConnection connection) {
    count.incrementAndGet();
    SSLSession s = connection.isSsl() ? connection.sslSession() : null;
    session.set(s == null ? "" : s.getProtocol() + " " + s.getCipherSuite());
  }

  long count() {
    return count.get();
  }

  /** The last connection's TLS protocol and cipher suite; empty when it is plaintext. */
  String session() {
    return session.get();
  }
}
