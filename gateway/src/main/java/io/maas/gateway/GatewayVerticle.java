package io.maas.gateway;

import io.maas.node.GatewayPorts;
import io.maas.cluster.ClusterNode;
import io.maas.config.GatewayConfig;
import io.maas.config.TenancyConfig;
import io.maas.gateway.http.StatsRoutes;
import io.maas.gateway.http.admin.AdminApi;
import io.maas.gateway.pipeline.GatewayMetrics;
import io.maas.gateway.stats.ClusterStatistics;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.tenancy.Tenancy;
import io.maas.gateway.edge.BodyBudget;
import io.maas.gateway.edge.CertificateReloader;
import io.maas.gateway.edge.ClientConnections;
import io.maas.gateway.edge.EdgeLimits;
import io.maas.gateway.grpc.GrpcEdge;
import io.maas.gateway.http.RepositoryRoutes;
import io.maas.gateway.http.RequestBodies;
import io.maas.gateway.http.RestRouter;
import io.maas.gateway.http.V2Routes;
import io.maas.gateway.http.openai.EmbeddingsRoutes;
import io.maas.gateway.http.openai.ModelsRoutes;
import io.maas.gateway.http.simple.SimplePredictRoutes;
import io.maas.gateway.http.tfserving.TfServingRoutes;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.placement.ColdLoads;
import io.maas.gateway.placement.Placer;
import io.maas.gateway.placement.PlacementView;
import io.maas.gateway.repository.RepositoryControl;
import io.maas.gateway.repository.UploadedFiles;
import io.maas.gateway.repository.WantedModels;
import io.maas.gateway.routing.LoadBalancer;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.http.MalformedRequests;
import io.maas.metrics.AdminServer;
import io.maas.metrics.ProcessMetrics;
import io.maas.net.AcceptHooks;
import io.maas.tls.TlsMaterial;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: the KServe V2 REST and gRPC edges on top of the shared inference pipeline, routing over
 * the live worker registry. It reaches workers only through the event bus. Its admin server
 * ({@code gateway.admin_host:admin_port}) always serves the process's {@code GET /metrics}, and the key
 * API when API keys are on.
 */
public final class GatewayVerticle extends VerticleBase implements GatewayPorts {
  /** The settings that choose each port, named when it cannot be served. */
  static final String ADMIN_PORT_SETTINGS = "gateway.admin_host, gateway.admin_port";
  static final String HTTP_PORT_SETTINGS = "gateway.http_port; the TF Serving drop-in's --port or --rest_api_port";
  static final String GRPC_PORT_SETTINGS = "gateway.grpc_port; the TF Serving drop-in's --port";

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);

  private final GatewayConfig config;
  private final ClusterNode cluster;
  private final TenancyConfig tenancyConfig;
  private final ProcessMetrics metrics;
  private Tenancy tenancy;
  private WantedModels wanted;
  private UploadedFiles uploads;
  private WorkerRegistry registry;
  private Placer placer;
  private HttpServer server;
  private HttpServer grpcServer;
  private HttpServer adminServer;
  private BodyBudget bodyBudget;
  private ClientConnections restConnections;
  private ClientConnections grpcConnections;
  private final List<Integer> guardedPorts = new java.util.ArrayList<>();
  private CertificateReloader certificates;

  /**
   * @param tenancy API keys, limits and the admin server's address; with auth off, every call is let in
   * @param cluster this process's cluster membership: workers of a member that leaves leave routing at once
   * @param metrics the process's registry: the gateway records its requests there and serves it at /metrics
   */
  public GatewayVerticle(GatewayConfig config, TenancyConfig tenancy, ClusterNode cluster, ProcessMetrics metrics) {
    this.config = config;
    this.tenancyConfig = tenancy;
    this.cluster = cluster;
    this.metrics = metrics;
  }

  /** The admin server's port (/metrics, and the key API with keys on). */
  @Override
  public int adminPort() {
    return adminServer.actualPort();
  }

  /** The port the REST server listens on (useful with port 0). */
  @Override
  public int httpPort() {
    return server.actualPort();
  }

  /** The port the gRPC server listens on (useful with port 0): the REST port when they share it. */
  @Override
  public int grpcPort() {
    return config.grpcOnHttpPort() ? server.actualPort() : grpcServer.actualPort();
  }

  /** Whether the gateway can serve (as {@code GET /v2/health/ready} answers), read on the gateway's own context. */
  public Future<Boolean> ready() {
    Promise<Boolean> ready = Promise.promise();
    context.runOnContext(v -> ready.complete(registry.isReady()));
    return ready.future();
  }

  public WorkerRegistry registry() {
    return registry;
  }

  @Override
  public Future<?> start() {
    registry = new WorkerRegistry(vertx, config, cluster);
    if (!tenancyConfig.authEnabled()) {
      LOG.info("API keys are off (gateway.auth_enabled: false; --api-keys turns them on): every caller reaching {}"
          + " may use every model", config.host());
    }
    wanted = new WantedModels(vertx, cluster.hazelcast(), tenancyConfig.dataDir(), registry.policies());
    uploads = new UploadedFiles(vertx, cluster.hazelcast(), tenancyConfig.dataDir());
    Future<Tenancy> keys = uploads.start().compose(v -> wanted.start()).compose(v -> tenancyConfig.authEnabled()
        ? Tenancy.start(vertx, cluster.hazelcast(), tenancyConfig) : Future.succeededFuture());
    return keys.compose(t -> {
      tenancy = t;
      return serve(t == null ? Admission.OPEN : t.admission());
    });
  }

  private Future<?> serve(Admission admission) {
    try {
      certificates = config.tls().enabled() ? CertificateReloader.start(vertx, config.tls(), metrics.registry()) : null;
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    GatewayConfig.ConnectionLimits limits = config.connections();
    bodyBudget = new BodyBudget(config.bodies().budget(Runtime.getRuntime().maxMemory(), config.maxBodyBytes()),
        metrics.registry());
    LOG.info("request bodies may hold {} MiB at once (gateway.body_memory_budget_bytes{}; the heap's maximum is {} MiB)",
        bodyBudget.capacity() >> 20, config.bodies().memoryBudgetBytes() == GatewayConfig.BodyLimits.AUTO
            ? ": an eighth of the heap" : "", Runtime.getRuntime().maxMemory() >> 20);
    RequestBodies bodies = new RequestBodies(config.maxBodyBytes(), bodyBudget, config.bodies());
    placer = new Placer(vertx, cluster.hazelcast(), registry, wanted::unloaded, config.placement(), metrics.registry());
    ColdLoads coldLoads = new ColdLoads(vertx, registry, placer, metrics.registry());
    InferencePipeline pipeline = new InferencePipeline(vertx, registry, new LoadBalancer(new SplittableRandom()),
        config, admission, new GatewayMetrics(metrics.registry()), coldLoads);
    ClusterStatistics statistics = new ClusterStatistics(vertx, registry, ClusterStatistics.DEFAULT_TIMEOUT_MS);
    RepositoryControl repository = new RepositoryControl(vertx, registry, wanted, uploads, config.maxRequestTimeoutMillis(),
        coldLoads);
    EdgeLimits edgeLimits = EdgeLimits.of(config);
    Router router = RestRouter.create(vertx, admission, List.of(
        new StatsRoutes(statistics), // ahead of V2Routes: its /v2/models/:model would take /v2/models/stats
        new RepositoryRoutes(repository, bodies, new PlacementView(vertx, registry, placer)),
        new V2Routes(registry, pipeline, edgeLimits, bodies),
        new TfServingRoutes(registry, pipeline, edgeLimits, bodies),
        new EmbeddingsRoutes(registry, pipeline, bodies),
        new ModelsRoutes(registry),
        new SimplePredictRoutes(registry, pipeline, edgeLimits, bodies))); // its /{model}/predict is the most general: last
    Handler<HttpServerRequest> grpc = GrpcEdge.create(vertx, registry, pipeline, repository, statistics, config, admission,
        bodyBudget);
    restConnections = new ClientConnections(config.grpcOnHttpPort() ? "rest_grpc" : "rest", limits, metrics.registry());
    return registry.start()
        .compose(v -> placer.start())
        .compose(v -> AdminServer.listen(vertx, tenancyConfig.adminHost(), tenancyConfig.adminPort(),
            ADMIN_PORT_SETTINGS, metrics,
            tenancy == null ? null : new AdminApi(tenancy.keyAdmin()).router(vertx), tls(config.tls().adminClientAuth())))
        .compose(s -> {
          adminServer = s;
          follow(s, config.tls().adminClientAuth());
          LOG.info("admin server (GET /metrics{}) listening on {}:{}{}", tenancy == null ? "" : ", key API /admin/keys",
              tenancyConfig.adminHost(), s.actualPort(), over(config.tls().adminClientAuth()));
          return listen(MalformedRequests.answeredOn(vertx.createHttpServer(TlsMaterial.configure(
                  clientOptions().setPort(config.httpPort()).setCompressionSupported(true), tls(ClientAuth.NONE))))
              .requestHandler(config.grpcOnHttpPort() ? new GrpcOrRest(grpc, MalformedRequests.checkingPaths(router))
                  : MalformedRequests.checkingPaths(router)), config.httpPort(),
              config.grpcOnHttpPort() ? "REST and gRPC" : "REST",
              HTTP_PORT_SETTINGS, restConnections);
        })
        .compose(s -> {
          server = s;
          follow(s, ClientAuth.NONE);
          if (config.grpcOnHttpPort()) {
            LOG.info("REST (KServe V2, TF Serving, predict, embeddings) and KServe V2 gRPC listening on {}:{}{}",
                config.host(), s.actualPort(), over(ClientAuth.NONE));
            return Future.succeededFuture(s);
          }
          LOG.info("REST (KServe V2, TF Serving, predict, embeddings) listening on {}:{}{}", config.host(), s.actualPort(),
              over(ClientAuth.NONE));
          grpcConnections = new ClientConnections("grpc", limits, metrics.registry());
          return listen(MalformedRequests.answeredOn(vertx.createHttpServer(TlsMaterial.configure(
                  clientOptions().setPort(config.grpcPort()), tls(config.tls().grpcClientAuth()))))
              .requestHandler(grpc),
              config.grpcPort(), "gRPC", GRPC_PORT_SETTINGS, grpcConnections)
              .onSuccess(g -> {
                grpcServer = g;
                follow(g, config.tls().grpcClientAuth());
                LOG.info("KServe V2 gRPC listening on {}:{}{}", config.host(), g.actualPort(),
                    over(config.tls().grpcClientAuth()));
              });
        });
  }

  /** A port's TLS options, asking clients for certificates as {@code clientAuth} says; null when TLS is off. */
  private ServerSSLOptions tls(ClientAuth clientAuth) {
    return certificates == null ? null : certificates.material().sslOptions(clientAuth);
  }

  /** How a port's log line says what it serves over. */
  private String over(ClientAuth clientAuth) {
    return certificates == null ? " (plaintext)" : clientAuth == ClientAuth.NONE ? " (TLS)"
        : " (TLS, client certificates " + clientAuth.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }

  /** A TLS port gets the certificate's later changes. */
  private void follow(HttpServer s, ClientAuth clientAuth) {
    if (certificates != null) {
      certificates.follow(s, clientAuth);
    }
  }

  /**
   * What every client-facing server shares: an idle client connection is closed (gateway.idle_timeout_s), HTTP/2
   * clients may open gateway.http2_max_concurrent_streams streams per connection. Request bodies are inflated by
   * {@link RequestBodies}, which stops at the size limit, not by Vert.x, which inflates a whole network chunk,
   * however far it inflates, before anyone sees it.
   */
  private HttpServerOptions clientOptions() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setIdleTimeout(config.connections().idleTimeoutSeconds())
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
        .setDecompressionSupported(false);
    options.getInitialSettings().setMaxConcurrentStreams(config.connections().http2MaxConcurrentStreams());
    return options;
  }

  /**
   * Listens; a port already taken fails with a message naming the settings that chose it (no stack trace). Once
   * it listens, the connections it accepts are counted and guarded (gateway.max_connections, header_timeout_s,
   * keepalive_idle_s) from the moment they are accepted.
   */
  private Future<HttpServer> listen(HttpServer server, int port, String what, String settings,
      ClientConnections connections) {
    return server.listen()
        .recover(e -> Future.failedFuture(new IllegalArgumentException("cannot serve " + what
            + " on " + config.host() + ":" + port + " (" + settings + "): " + e.getMessage(), e)))
        .onSuccess(s -> guard(s.actualPort(), connections));
  }

  private void guard(int port, ClientConnections connections) {
    AcceptHooks hooks = cluster.acceptHooks();
    if (hooks == null) {
      LOG.warn("this Vert.x was built without accept hooks: gateway.max_connections, header_timeout_s and"
          + " keepalive_idle_s are not applied on port {}", port);
      return;
    }
    hooks.register(port, connections);
    guardedPorts.add(port);
  }

  /** The memory budget of the bodies being read (bytes reserved now: {@link BodyBudget#reserved()}). */
  public BodyBudget bodyBudget() {
    return bodyBudget;
  }

  /** Client connections open now on the REST port (with gRPC when it shares it). */
  public int restConnections() {
    return restConnections.open();
  }

  /** Client connections open now on the gRPC port (0 when gRPC shares the REST port). */
  public int grpcConnections() {
    return grpcConnections == null ? 0 : grpcConnections.open();
  }

  @Override
  public Future<?> stop() {
    if (certificates != null) {
      certificates.stop();
    }
    if (cluster.acceptHooks() != null) {
      guardedPorts.forEach(cluster.acceptHooks()::unregister);
    }
    return Future.join(close(server), close(grpcServer), close(adminServer))
        .compose(v -> tenancy == null ? Future.succeededFuture() : tenancy.stop())
        .compose(v -> wanted == null ? Future.succeededFuture() : wanted.stop())
        .compose(v -> uploads == null ? Future.succeededFuture() : uploads.stop())
        .compose(v -> placer == null ? Future.succeededFuture() : placer.stop())
        .compose(v -> registry.stop());
  }

  private static Future<Void> close(HttpServer s) {
    return s == null ? Future.succeededFuture() : s.close();
  }
}
