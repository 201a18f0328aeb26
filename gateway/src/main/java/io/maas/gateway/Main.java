package io.maas.gateway;

import io.maas.config.CommandLine;
import io.maas.config.MaasConfig;
import io.maas.worker.WorkerMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar gateway/target/maas-gateway.jar [standalone|gateway|worker] [options]}. With no mode
 * it runs the standalone node: gateway and worker in one JVM, on an embedded single-member Hazelcast
 * cluster that separate workers can join later.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    MaasNode.Mode mode;
    MaasConfig config;
    try {
      CommandLine cli = CommandLine.parse(args);
      mode = MaasNode.Mode.parse(cli.mode());
      config = WorkerMain.load(cli);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try {
      MaasNode node = MaasNode.start(config, mode).await();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("shutting down");
        node.close().await();
        LOG.info("stopped");
      }, "maas-shutdown"));
      LOG.info("maas {} node started", mode.name().toLowerCase(java.util.Locale.ROOT));
    } catch (Exception e) {
      LOG.error("maas failed to start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }
}
