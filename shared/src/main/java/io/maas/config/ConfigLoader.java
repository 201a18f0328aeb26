package io.maas.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Loads the configuration from its stores, in increasing precedence:
 * <ol>
 *   <li>the defaults, {@code conf/maas.yaml} (from the working directory, else from the jar), then the
 *       defaults of the way the process was started ({@link CommandLine#modeDefaults()});
 *   <li>the file named by {@code --config} (YAML or JSON);
 *   <li>{@code MAAS_*} environment variables;
 *   <li>{@code maas.*} system properties, then command-line flags.
 * </ol>
 * Later stores win, key by key.
 */
public final class ConfigLoader {
  public static final String DEFAULTS = "conf/maas.yaml";

  private final Map<String, String> environment;
  private final Map<Object, Object> systemProperties;

  public ConfigLoader(Map<String, String> environment, Map<Object, Object> systemProperties) {
    this.environment = environment;
    this.systemProperties = systemProperties;
  }

  /** A loader reading this process's environment and system properties. */
  public static ConfigLoader ofProcess() {
    return new ConfigLoader(System.getenv(), System.getProperties());
  }

  public Future<MaasConfig> load(Vertx vertx, CommandLine commandLine) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false);
    options.addStore(fileStore(DEFAULTS));
    if (!commandLine.modeDefaults().isEmpty()) {
      options.addStore(jsonStore(commandLine.modeDefaults()));
    }
    if (!commandLine.configFile().isEmpty()) {
      options.addStore(fileStore(commandLine.configFile()));
    }
    options.addStore(jsonStore(ConfigKeys.fromEnvironment(environment)));
    JsonObject flags = ConfigKeys.fromSystemProperties(systemProperties).mergeIn(commandLine.overrides(), true);
    options.addStore(jsonStore(flags));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .map(MaasConfig::fromJson)
        .andThen(done -> retriever.close());
  }

  /** Reads the configuration with a short-lived local Vert.x (a clustered one needs the configuration first). */
  public MaasConfig loadOnce(CommandLine commandLine) {
    Vertx local = Vertx.vertx();
    try {
      return load(local, commandLine).await();
    } finally {
      local.close().await();
    }
  }

  private static ConfigStoreOptions fileStore(String path) {
    String format = path.endsWith(".json") ? "json" : "yaml";
    return new ConfigStoreOptions().setType("file").setFormat(format).setConfig(new JsonObject().put("path", path));
  }

  private static ConfigStoreOptions jsonStore(JsonObject json) {
    return new ConfigStoreOptions().setType("json").setConfig(json);
  }
}
