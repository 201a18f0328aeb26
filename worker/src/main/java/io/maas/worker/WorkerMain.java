package io.maas.worker;

import io.maas.cluster.ClusterNode;
import io.maas.cluster.ClusteredVertx;
import io.maas.config.CommandLine;
import io.maas.config.ConfigLoader;
import io.maas.config.MaasConfig;
import io.maas.metrics.AdminServer;
import io.maas.metrics.ProcessMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker-only process: joins the cluster and serves the model repository on its device slots, and
 * {@code GET /metrics} on {@code worker.metrics_host:worker.metrics_port}.
 * {@code java -jar worker/target/maas-worker.jar [--config FILE] [--model-repository DIR] ...}
 */
public final class WorkerMain {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

  private WorkerMain() {}

  public static void main(String[] args) {
    try {
      CommandLine cli = CommandLine.parse(args);
      MaasConfig config = load(cli);
      ProcessMetrics metrics = ProcessMetrics.create();
      ClusterNode node = ClusteredVertx.start(config.cluster(), ClusteredVertx.Membership.LITE, metrics).await();
      Vertx vertx = node.vertx();
      HttpServer metricsServer = AdminServer.listen(vertx, config.metrics().workerHost(),
          config.metrics().workerPort(), "worker.metrics_host, worker.metrics_port", metrics, null).await();
      LOG.info("metrics (GET /metrics) on {}:{}", config.metrics().workerHost(), metricsServer.actualPort());
      WorkerNode.deploy(vertx, config.worker(), node.nodeId(), metrics.registry(), node.hazelcast()).await();
      // on SIGTERM: the worker verticles drain (see WorkerVerticle#stop), then the node leaves the cluster
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("shutting down");
        vertx.close().await();
        metrics.close();
        LOG.info("stopped");
      }, "maas-shutdown"));
      LOG.info("maas worker node started");
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      LOG.error("worker failed to start", e);
      System.exit(1);
    }
  }

  /** Reads the configuration with a short-lived local Vert.x (the clustered one needs the config first). */
  public static MaasConfig load(CommandLine cli) {
    return ConfigLoader.ofProcess().loadOnce(cli);
  }
}
