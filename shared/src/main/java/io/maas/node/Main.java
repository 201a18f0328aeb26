package io.maas.node;

import io.maas.config.CommandLine;
import io.maas.config.ConfigLoader;
import io.maas.config.MaasConfig;
import io.maas.config.tfserving.TfServingCommandLine;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every maas jar's entry point: {@code java -jar maas-gateway.jar [standalone|gateway|worker] [options]}, and the
 * same for {@code maas-gateway-only.jar} and {@code maas-worker.jar}. With no mode it runs every side the jar holds
 * ({@link NodeRole}): for {@code maas-gateway.jar} the standalone node, gateway and worker in one JVM, on an embedded
 * single-member Hazelcast cluster that separate workers can join later. With {@code tensorflow_model_server}'s flags
 * ({@link TfServingCommandLine}) it runs the standalone node as a drop-in for TF Serving. {@code certs DIR} writes
 * test certificates instead ({@link CertsCommand}).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("certs")) {
      System.exit(CertsCommand.run(List.of(args).subList(1, args.length), System.out, System.err));
      return;
    }
    Map<NodeRole.Kind, NodeRole> roles;
    MaasNode.Mode mode;
    MaasConfig config;
    List<String> warnings = List.of();
    try {
      CommandLine cli;
      if (TfServingCommandLine.appliesTo(args)) {
        TfServingCommandLine dropIn = TfServingCommandLine.parse(args);
        cli = dropIn.commandLine();
        warnings = dropIn.warnings();
      } else {
        cli = CommandLine.parse(args);
      }
      roles = MaasNode.roles();
      mode = MaasNode.Mode.parse(cli.mode(), roles.keySet());
      config = ConfigLoader.ofProcess().loadOnce(cli);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    warnings.forEach(LOG::warn);
    try {
      MaasNode node = MaasNode.start(config, mode, roles).await();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("shutting down");
        node.close().await();
        LOG.info("stopped");
      }, "maas-shutdown"));
      LOG.info("maas {} node started", mode.name().toLowerCase(Locale.ROOT));
    } catch (Exception e) {
      String refusal = StartRefusal.message(e);
      if (refusal != null) {
        LOG.error("maas failed to start: {}", refusal);
      } else {
        LOG.error("maas failed to start: {}", e.getMessage(), e);
      }
      System.exit(1);
    }
  }
}
