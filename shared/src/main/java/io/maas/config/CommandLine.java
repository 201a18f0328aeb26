package io.maas.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a maas process: an optional mode word, an optional config file and flag overrides.
 *
 * <pre>
 *   [standalone|gateway|worker] [--config FILE] [--model-repository DIR] [--http-port N]
 *   [--host ADDR] [--cluster-name NAME] [--cluster-host ADDR] [--cluster-port N]
 *   [--cluster-members A,B] [--api-keys] [--set section.key=value]...
 * </pre>
 *
 * @param mode the mode word, or "" when none was given
 * @param configFile the file named by --config, or ""
 * @param modeDefaults defaults of the way the process was started, over {@code conf/maas.yaml} and under
 *     everything else (the TF Serving drop-in's loopback address and keys off); usually empty
 * @param overrides the flags as a configuration fragment (highest precedence)
 */
public record CommandLine(String mode, String configFile, JsonObject modeDefaults, JsonObject overrides) {

  /** A command line without mode defaults. */
  public CommandLine(String mode, String configFile, JsonObject overrides) {
    this(mode, configFile, new JsonObject(), overrides);
  }

  /** The same command line with these defaults under the configuration file. */
  public CommandLine withModeDefaults(JsonObject defaults) {
    return new CommandLine(mode, configFile, defaults, overrides);
  }

  public static final String USAGE =
      "usage: [standalone|gateway|worker] [--config FILE] [--model-repository DIR] [--http-port N] [--host ADDR]\n"
          + "       [--cluster-name NAME] [--cluster-host ADDR] [--cluster-port N] [--cluster-members A,B]\n"
          + "       [--model-control-mode none|poll|explicit|placed] [--load-model NAME|'*']... [--repository-poll-secs N]\n"
          + "       [--api-keys] [--set section.key=value]...\n"
          + "   or: tensorflow_model_server's flags (--port, --rest_api_port, --model_name, --model_base_path,\n"
          + "       --model_config_file, ...): see docs/tfserving-dropin.md";

  /** @throws IllegalArgumentException with a usage message on a bad command line */
  public static CommandLine parse(String... args) {
    String mode = "";
    String configFile = "";
    JsonObject overrides = new JsonObject();
    List<String> rest = new ArrayList<>(List.of(args));
    List<String> loadModels = new ArrayList<>();
    if (!rest.isEmpty() && !rest.get(0).startsWith("-")) {
      mode = rest.remove(0);
    }
    for (int i = 0; i < rest.size(); i++) {
      String flag = rest.get(i);
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (flag.equals("--api-keys")) {
        ConfigKeys.put(overrides, "gateway.auth_enabled", "true");
        continue;
      }
      if (i + 1 >= rest.size()) {
        throw new IllegalArgumentException("missing value after " + flag + "\n" + USAGE);
      }
      String value = rest.get(++i);
      switch (flag) {
        case "--config" -> configFile = value;
        case "--model-repository" -> ConfigKeys.put(overrides, "worker.model_repository", value);
        case "--http-port" -> ConfigKeys.put(overrides, "gateway.http_port", value);
        case "--host" -> ConfigKeys.put(overrides, "gateway.host", value);
        case "--cluster-name" -> ConfigKeys.put(overrides, "cluster.name", value);
        case "--cluster-host" -> ConfigKeys.put(overrides, "cluster.host", value);
        case "--cluster-port" -> ConfigKeys.put(overrides, "cluster.port", value);
        case "--cluster-members" -> ConfigKeys.put(overrides, "cluster.members", value);
        case "--model-control-mode" -> ConfigKeys.put(overrides, "worker.model_control_mode", value);
        case "--repository-poll-secs" -> ConfigKeys.put(overrides, "worker.repository_poll_secs", value);
        case "--load-model" -> loadModels.add(value);
        case "--set" -> {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--set takes section.key=value, not '" + value + "'");
          }
          ConfigKeys.put(overrides, value.substring(0, eq), value.substring(eq + 1));
        }
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    if (!loadModels.isEmpty()) { // repeatable, as Triton's --load-model
      ConfigKeys.put(overrides, "worker.load_model", String.join(",", loadModels));
    }
    return new CommandLine(mode, configFile, overrides);
  }
}
