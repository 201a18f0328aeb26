package io.maas.config;

import io.vertx.core.json.JsonObject;

/**
 * The gateway's settings.
 *
 * @param host bind address of the REST server
 * @param httpPort REST port (Triton's 8000)
 * @param grpcPort gRPC port (Triton's 8001)
 * @param maxBodyBytes the largest request body accepted (413 above it)
 * @param maxTensorElements the most elements one request tensor may hold
 * @param requestTimeoutMillis a request's deadline when it names none (504 after)
 * @param maxRequestTimeoutMillis the longest deadline a request may ask for with its {@code timeout} parameter
 * @param maxInFlightPerWorker the bulkhead: requests this gateway has in flight on one worker at most
 * @param breaker the per-worker circuit breaker
 * @param grpcOnHttpPort gRPC is served on the REST port (one server tells them apart by content type) and
 *     {@code grpcPort} is unused: TF Serving's {@code --port} as the drop-in maps it
 * @param connections limits on the clients' connections to the REST and gRPC servers
 * @param hedge whether and when a request that a worker is slow to answer is sent to a second worker
 * @param bodies limits on the request bodies (and gRPC messages) being read
 * @param placement how this gateway places models on workers in placed mode, when it is the one deciding
 * @param tls TLS on the REST, gRPC and admin ports ({@link ServerTls#OFF}: plaintext)
 */
public record GatewayConfig(
    String host, int httpPort, int grpcPort, long maxBodyBytes, long maxTensorElements, long requestTimeoutMillis,
    long maxRequestTimeoutMillis, int maxInFlightPerWorker, BreakerConfig breaker, boolean grpcOnHttpPort,
    ConnectionLimits connections, HedgeConfig hedge, BodyLimits bodies, PlacementConfig placement, ServerTls tls) {

  /** conf/maas.yaml's {@code gateway.max_request_timeout_ms}, for the constructors of tests and embedders. */
  public static final long DEFAULT_MAX_REQUEST_TIMEOUT_MS = 300_000;
  /** conf/maas.yaml's {@code gateway.max_in_flight_per_worker}, for the constructors of tests and embedders. */
  public static final int DEFAULT_MAX_IN_FLIGHT_PER_WORKER = 256;

  /** Plaintext. */
  public GatewayConfig(String host, int httpPort, int grpcPort, long maxBodyBytes, long maxTensorElements,
      long requestTimeoutMillis, long maxRequestTimeoutMillis, int maxInFlightPerWorker, BreakerConfig breaker,
      boolean grpcOnHttpPort, ConnectionLimits connections, HedgeConfig hedge, BodyLimits bodies,
      PlacementConfig placement) {
    this(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis, maxRequestTimeoutMillis,
        maxInFlightPerWorker, breaker, grpcOnHttpPort, connections, hedge, bodies, placement, ServerTls.OFF);
  }

  /** With the default placement settings. */
  public GatewayConfig(String host, int httpPort, int grpcPort, long maxBodyBytes, long maxTensorElements,
      long requestTimeoutMillis, long maxRequestTimeoutMillis, int maxInFlightPerWorker, BreakerConfig breaker,
      boolean grpcOnHttpPort, ConnectionLimits connections, HedgeConfig hedge, BodyLimits bodies) {
    this(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis, maxRequestTimeoutMillis,
        maxInFlightPerWorker, breaker, grpcOnHttpPort, connections, hedge, bodies, PlacementConfig.DEFAULT);
  }

  /** The defaults of conf/maas.yaml for the routing settings: for tests and embedders. */
  public GatewayConfig(
      String host, int httpPort, int grpcPort, long maxBodyBytes, long maxTensorElements, long requestTimeoutMillis) {
    this(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis,
        Math.max(DEFAULT_MAX_REQUEST_TIMEOUT_MS, requestTimeoutMillis), DEFAULT_MAX_IN_FLIGHT_PER_WORKER,
        BreakerConfig.DEFAULT);
  }

  /** gRPC on a port of its own. */
  public GatewayConfig(String host, int httpPort, int grpcPort, long maxBodyBytes, long maxTensorElements,
      long requestTimeoutMillis, long maxRequestTimeoutMillis, int maxInFlightPerWorker, BreakerConfig breaker) {
    this(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis, maxRequestTimeoutMillis,
        maxInFlightPerWorker, breaker, false, ConnectionLimits.DEFAULT, HedgeConfig.DEFAULT, BodyLimits.DEFAULT);
  }

  public GatewayConfig {
    if (grpcOnHttpPort && tls.grpcClientAuth() != io.vertx.core.http.ClientAuth.NONE) {
      throw new IllegalArgumentException("gateway.tls.grpc_client_auth needs gRPC on a port of its own: with"
          + " gateway.grpc_on_http_port, gRPC shares the REST port, which asks no client certificate");
    }
    if (maxRequestTimeoutMillis < requestTimeoutMillis) {
      throw new IllegalArgumentException("gateway.max_request_timeout_ms (" + maxRequestTimeoutMillis
          + ") must not be below gateway.request_timeout_ms (" + requestTimeoutMillis + ")");
    }
    if (bodies.memoryBudgetBytes() != BodyLimits.AUTO && bodies.memoryBudgetBytes() < maxBodyBytes) {
      throw new IllegalArgumentException("gateway.body_memory_budget_bytes (" + bodies.memoryBudgetBytes()
          + ") must not be below gateway.max_body_bytes (" + maxBodyBytes + "): a body between them could never be read");
    }
  }

  /** The same settings with another breaker. */
  public GatewayConfig withBreaker(BreakerConfig b) {
    return new GatewayConfig(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis,
        maxRequestTimeoutMillis, maxInFlightPerWorker, b, grpcOnHttpPort, connections, hedge, bodies, placement, tls);
  }

  /** The same settings with other connection limits. */
  public GatewayConfig withConnections(ConnectionLimits c) {
    return new GatewayConfig(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis,
        maxRequestTimeoutMillis, maxInFlightPerWorker, breaker, grpcOnHttpPort, c, hedge, bodies, placement, tls);
  }

  /** The same settings with other hedging settings. */
  public GatewayConfig withHedge(HedgeConfig h) {
    return new GatewayConfig(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis,
        maxRequestTimeoutMillis, maxInFlightPerWorker, breaker, grpcOnHttpPort, connections, h, bodies, placement, tls);
  }

  /** The same settings with other placement settings. */
  public GatewayConfig withPlacement(PlacementConfig p) {
    return new GatewayConfig(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis,
        maxRequestTimeoutMillis, maxInFlightPerWorker, breaker, grpcOnHttpPort, connections, hedge, bodies, p, tls);
  }

  /** The same settings with TLS on the client-facing ports, or {@link ServerTls#OFF}. */
  public GatewayConfig withTls(ServerTls t) {
    return new GatewayConfig(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis,
        maxRequestTimeoutMillis, maxInFlightPerWorker, breaker, grpcOnHttpPort, connections, hedge, bodies, placement, t);
  }

  /** The same settings with other body limits. */
  public GatewayConfig withBodies(BodyLimits b) {
    return new GatewayConfig(host, httpPort, grpcPort, maxBodyBytes, maxTensorElements, requestTimeoutMillis,
        maxRequestTimeoutMillis, maxInFlightPerWorker, breaker, grpcOnHttpPort, connections, hedge, b, placement, tls);
  }

  /**
   * What a client's connection may hold on to.
   *
   * @param idleTimeoutSeconds a connection with nothing read or written this long is closed; it must outlast
   *     the longest request deadline, or a long inference would lose its connection while it runs
   * @param headerTimeoutSeconds a connection's first request head must be complete this long after it was
   *     accepted, and a later one this long after its first byte; else the connection is closed
   * @param keepAliveIdleSeconds a connection with no request in progress (HTTP/1.1: between requests; HTTP/2:
   *     no open stream) is closed after this long, however many pings or other frames it exchanges
   * @param maxConnections the most connections each client-facing port holds at once; one over it is closed
   *     as soon as it is accepted
   * @param http2MaxConcurrentStreams the most streams (calls) an HTTP/2 client may have open on one connection
   *     (announced in the server's SETTINGS; one more is refused with RST_STREAM)
   */
  public record ConnectionLimits(int idleTimeoutSeconds, int headerTimeoutSeconds, int keepAliveIdleSeconds,
      int maxConnections, int http2MaxConcurrentStreams) {
    public static final ConnectionLimits DEFAULT = new ConnectionLimits(360, 10, 120, 1024, 100);

    /** The defaults with another idle timeout. */
    public static ConnectionLimits idleTimeout(int seconds) {
      return new ConnectionLimits(seconds, DEFAULT.headerTimeoutSeconds, DEFAULT.keepAliveIdleSeconds,
          DEFAULT.maxConnections, DEFAULT.http2MaxConcurrentStreams);
    }
  }

  /**
   * What the request bodies being read may hold on to.
   *
   * @param memoryBudgetBytes the most bytes every request body (REST) and request message (gRPC) being read or
   *     served holds at once, across all connections of the process; a body that cannot reserve its share is
   *     answered 503 with {@code Retry-After} (gRPC UNAVAILABLE) without being read. {@link #AUTO} (0): an eighth
   *     of the JVM's maximum heap, at least {@code max_body_bytes} (see {@link #budget})
   * @param readTimeoutSeconds a body that sends no byte this long while it is read is answered 408 (gRPC:
   *     DEADLINE_EXCEEDED) and its connection closed
   */
  public record BodyLimits(long memoryBudgetBytes, int readTimeoutSeconds) {
    /** The budget follows the heap. */
    public static final long AUTO = 0;
    public static final BodyLimits DEFAULT = new BodyLimits(AUTO, 30);
    /**
     * The heap a served body of n bytes takes at most, as a multiple of n, on the way through a standalone node:
     * the body, its decoded tensors, the outputs, the encoded response.
     */
    static final int HEAP_PER_BODY_BYTE = 8;

    /**
     * The budget in bytes: the one configured, or with {@link #AUTO} an eighth of the maximum heap, so that the
     * bodies admitted, with what serving them takes, fit in the heap; never less than one body of the largest
     * size.
     */
    public long budget(long maxHeapBytes, long maxBodyBytes) {
      return memoryBudgetBytes != AUTO ? memoryBudgetBytes : Math.max(maxBodyBytes, maxHeapBytes / HEAP_PER_BODY_BYTE);
    }
  }

  /**
   * The circuit breaker every gateway keeps per worker (Resilience4j, count-based window).
   *
   * @param failureRatePercent the failure rate over the window that opens it
   * @param window how many recent calls the rate is computed over
   * @param minimumCalls calls needed before the rate counts
   * @param openMillis how long it stays open before it lets probe calls through (half-open)
   * @param halfOpenCalls probe calls allowed while half-open; their outcome closes or reopens it
   */
  public record BreakerConfig(int failureRatePercent, int window, int minimumCalls, long openMillis, int halfOpenCalls) {
    public static final BreakerConfig DEFAULT = new BreakerConfig(50, 20, 5, 5000, 2);

    public BreakerConfig {
      if (failureRatePercent < 1 || failureRatePercent > 100) {
        throw new IllegalArgumentException("gateway.breaker_failure_rate must be 1-100, not " + failureRatePercent);
      }
    }
  }

  static GatewayConfig fromJson(JsonObject j) {
    return new GatewayConfig(
        ConfigValues.text(j, "gateway", "host"),
        ConfigValues.port(j, "gateway", "http_port"),
        ConfigValues.port(j, "gateway", "grpc_port"),
        ConfigValues.positiveLong(j, "gateway", "max_body_bytes"),
        ConfigValues.positiveLong(j, "gateway", "max_tensor_elements"),
        ConfigValues.positiveLong(j, "gateway", "request_timeout_ms"),
        ConfigValues.positiveLong(j, "gateway", "max_request_timeout_ms"),
        (int) ConfigValues.positiveLong(j, "gateway", "max_in_flight_per_worker"),
        new BreakerConfig(
            (int) ConfigValues.positiveLong(j, "gateway", "breaker_failure_rate"),
            (int) ConfigValues.positiveLong(j, "gateway", "breaker_window"),
            (int) ConfigValues.positiveLong(j, "gateway", "breaker_minimum_calls"),
            ConfigValues.positiveLong(j, "gateway", "breaker_open_ms"),
            (int) ConfigValues.positiveLong(j, "gateway", "breaker_half_open_calls")),
        ConfigValues.bool(j, "gateway", "grpc_on_http_port"),
        new ConnectionLimits(
            (int) ConfigValues.positiveLong(j, "gateway", "idle_timeout_s"),
            (int) ConfigValues.positiveLong(j, "gateway", "header_timeout_s"),
            (int) ConfigValues.positiveLong(j, "gateway", "keepalive_idle_s"),
            (int) ConfigValues.positiveLong(j, "gateway", "max_connections"),
            (int) ConfigValues.positiveLong(j, "gateway", "http2_max_concurrent_streams")),
        HedgeConfig.fromJson(j),
        new BodyLimits(
            ConfigValues.nonNegativeLong(j, "gateway", "body_memory_budget_bytes"),
            (int) ConfigValues.positiveLong(j, "gateway", "body_read_timeout_s")),
        PlacementConfig.fromJson(j),
        ServerTls.fromJson(ConfigValues.section(j, "gateway", "tls")));
  }
}
