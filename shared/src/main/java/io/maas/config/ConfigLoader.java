package io.maas.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads the configuration from its stores, in increasing precedence:
 * <ol>
 *   <li>the defaults, {@code conf/maas.yaml} (from the working directory, else from the jar), then the
 *       defaults of the way the process was started ({@link CommandLine#modeDefaults()});
 *   <li>the file named by {@code --config} (YAML or JSON);
 *   <li>{@code MAAS_*} environment variables;
 *   <li>{@code maas.*} system properties, then command-line flags.
 * </ol>
 * Later stores win, key by key (a deep merge, as vertx-config's). Every store is first checked against the
 * {@link KnownKeys}: a key nobody reads stops the start with its name, its store and the nearest known key.
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

  /** A configuration fragment and where it came from (a file, a variable, the command line). */
  private record Source(String origin, JsonObject fragment) {}

  public Future<MaasConfig> load(Vertx vertx, CommandLine commandLine) {
    Future<JsonObject> defaults = readFile(vertx, DEFAULTS);
    Future<JsonObject> file = commandLine.configFile().isEmpty()
        ? Future.succeededFuture(new JsonObject()) : readFile(vertx, commandLine.configFile());
    return Future.all(KnownKeys.bundled(vertx), defaults, file).map(all -> {
      KnownKeys known = all.resultAt(0);
      List<Source> sources = new ArrayList<>();
      sources.add(new Source(DEFAULTS, all.resultAt(1)));
      sources.add(new Source("the defaults of this mode", commandLine.modeDefaults()));
      sources.add(new Source(commandLine.configFile(), all.resultAt(2)));
      sources.addAll(environment(known));
      sources.addAll(systemProperties());
      sources.add(new Source("the command line", commandLine.overrides()));
      JsonObject merged = new JsonObject();
      for (Source source : sources) {
        known.check(source.fragment(), source.origin());
        merged.mergeIn(new JsonObject(source.fragment().encode()), true); // as JSON, as a vertx-config json store
      }
      return MaasConfig.fromJson(merged);
    });
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

  /** One source per {@code MAAS_*} variable that is configuration, in name order. */
  private List<Source> environment(KnownKeys known) {
    List<Source> sources = new ArrayList<>();
    new TreeMap<>(environment).forEach((name, value) -> {
      String key = ConfigKeys.keyOfVariable(name, known);
      if (key != null) {
        sources.add(new Source(name, fragment(key, value)));
      }
    });
    return sources;
  }

  /** One source per {@code maas.section.key} system property, in name order. */
  private List<Source> systemProperties() {
    List<Source> sources = new ArrayList<>();
    stringKeys(systemProperties).forEach((name, value) -> {
      String key = ConfigKeys.keyOfProperty(name);
      if (key != null) {
        sources.add(new Source("system property " + name, fragment(key, value.toString())));
      }
    });
    return sources;
  }

  /** The properties by name, in name order. */
  private static Map<String, Object> stringKeys(Map<Object, Object> map) {
    Map<String, Object> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(k.toString(), v));
    return out;
  }

  private static JsonObject fragment(String key, String value) {
    JsonObject fragment = new JsonObject();
    ConfigKeys.put(fragment, key, value);
    return fragment;
  }

  /** A YAML or JSON file, through vertx-config's file store (the working directory, else the class path). */
  private static Future<JsonObject> readFile(Vertx vertx, String path) {
    String format = path.endsWith(".json") ? "json" : "yaml";
    ConfigStoreOptions store = new ConfigStoreOptions().setType("file").setFormat(format)
        .setConfig(new JsonObject().put("path", path));
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setIncludeDefaultStores(false).addStore(store));
    return retriever.getConfig()
        .andThen(done -> retriever.close())
        .recover(e -> Future.failedFuture(new IllegalArgumentException(
            "cannot read the configuration file " + path + ": " + e.getMessage(), e)));
  }
}
