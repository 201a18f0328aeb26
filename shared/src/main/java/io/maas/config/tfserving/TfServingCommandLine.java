package io.maas.config.tfserving;

import io.maas.config.CommandLine;
import io.maas.config.ModelBasePath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code tensorflow_model_server}'s command line, translated into a standalone maas node: the drop-in mode.
 * TF Serving's flags ({@code --port=9000}, {@code --model_base_path /m}) may be mixed with maas's own
 * ({@code --host}, {@code --api-keys}, {@code --config}, {@code --set}).
 *
 * <ul>
 *   <li>{@code --port} (default 8500) serves REST and gRPC on one port; with {@code --rest_api_port} (not 0)
 *       REST moves there and gRPC stays on {@code --port}, as in TF Serving.
 *   <li>{@code --model_name} (default {@code default}) with {@code --model_base_path}, or
 *       {@code --model_config_file} ({@link ModelConfigList}): {@code worker.models}.
 *   <li>{@code --rest_api_timeout_in_ms}: {@code gateway.request_timeout_ms}; {@code --ssl_config_file}:
 *       {@code gateway.tls} ({@link SslConfigFile});
 *       {@code --tensorflow_intra_op_parallelism}/{@code inter_op}: ONNX Runtime's threads.
 *   <li>{@code --file_system_poll_wait_seconds} and {@code --model_config_file_poll_wait_seconds} above 0: a
 *       warning, since models load once at start.
 *   <li>Flags whose promise maas cannot keep ({@link #REFUSED}) stop the start; any other TF Serving flag is
 *       accepted with a warning.
 * </ul>
 * The mode's defaults, under any configuration file, environment variable or flag: REST and gRPC on
 * 127.0.0.1, API keys off (TF Serving has none), the admin server on a random port, a cluster of its own that
 * probes no port for other members ({@code --cluster-members} lets workers join it).
 *
 * @param commandLine the standalone node's command line
 * @param warnings what was accepted without effect, to log at start
 */
public record TfServingCommandLine(CommandLine commandLine, List<String> warnings) {
  public static final int DEFAULT_PORT = 8500;

  /** Flags maas cannot honour, with what to do instead. */
  static final Map<String, String> REFUSED = Map.of(
      "grpc_socket_path", "maas serves TCP ports only: use --port",
      "platform_config_file", "maas serves ONNX models with ONNX Runtime; there is no platform to configure",
      "batching_parameters_file", "maas batches per model: put a dynamic_batching section in <base_path>/config.yaml"
          + " (docs/batching.md)",
      "monitoring_config_file", "maas serves Prometheus metrics at GET /metrics on its admin port"
          + " (--set gateway.admin_port=N)");

  private static final Set<String> MAAS_FLAGS_WITHOUT_VALUE = Set.of("--api-keys", "--help", "-h");

  /** Whether the arguments hold a TF Serving flag (a name with an underscore, or {@code --port}). */
  public static boolean appliesTo(String... args) {
    for (String arg : args) {
      if (isTfFlag(arg)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTfFlag(String arg) {
    if (!arg.startsWith("--")) {
      return false;
    }
    String name = name(arg);
    return name.contains("_") || name.equals("port");
  }

  private static String name(String arg) {
    int eq = arg.indexOf('=');
    return arg.substring(2, eq < 0 ? arg.length() : eq);
  }

  /** @throws IllegalArgumentException with a clear message on a flag maas cannot honour or a bad value */
  public static TfServingCommandLine parse(String... args) {
    Map<String, String> tf = new LinkedHashMap<>();
    List<String> maas = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!isTfFlag(arg)) {
        maas.add(arg);
        if (arg.startsWith("-") && !MAAS_FLAGS_WITHOUT_VALUE.contains(arg) && i + 1 < args.length) {
          maas.add(args[++i]);
        }
        continue;
      }
      int eq = arg.indexOf('=');
      if (eq >= 0) {
        tf.put(name(arg), arg.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        tf.put(name(arg), args[++i]);
      } else {
        tf.put(name(arg), "true"); // a boolean flag given alone
      }
    }
    if (!maas.isEmpty() && !maas.get(0).startsWith("-") && !maas.get(0).equals("standalone")) {
      throw new IllegalArgumentException("tensorflow_model_server's flags start a standalone node, not a '"
          + maas.get(0) + "' node");
    }
    if (maas.contains("--model-repository")) {
      throw new IllegalArgumentException("--model-repository and TF Serving's --model_base_path/--model_config_file"
          + " name models two ways: give one");
    }
    CommandLine base = CommandLine.parse(maas.toArray(String[]::new));
    List<String> warnings = new ArrayList<>();
    JsonObject overrides = base.overrides().copy();
    JsonObject gateway = overrides.getJsonObject("gateway", new JsonObject());
    JsonObject worker = overrides.getJsonObject("worker", new JsonObject());
    overrides.put("gateway", gateway).put("worker", worker);

    ports(tf, gateway);
    worker.put("models", new JsonArray(models(tf, warnings).stream().map(ModelBasePath::toJson).toList()));
    for (Map.Entry<String, String> flag : tf.entrySet()) {
      String name = flag.getKey();
      String value = flag.getValue();
      switch (name) {
        case "port", "rest_api_port", "model_name", "model_base_path", "model_config_file" -> { }
        case "rest_api_timeout_in_ms" -> gateway.put("request_timeout_ms", positive(name, value));
        case "ssl_config_file" -> {
          JsonObject tls = SslConfigFile.read(Path.of(value));
          if (tls.containsKey("grpc_client_auth") && gateway.getBoolean("grpc_on_http_port", true)) {
            throw new IllegalArgumentException("--ssl_config_file's custom_ca asks gRPC clients for certificates, and"
                + " REST shares --port: give REST a port of its own with --rest_api_port (maas asks REST clients for"
                + " none)");
          }
          gateway.put("tls", tls);
        }
        case "tensorflow_intra_op_parallelism", "tensorflow_inter_op_parallelism" -> {
          long threads = number(name, value);
          if (threads > 0) {
            worker.put("session", worker.getJsonObject("session", new JsonObject())
                .put(name.contains("intra") ? "intra_op_threads" : "inter_op_threads", threads));
          }
        }
        case "file_system_poll_wait_seconds", "model_config_file_poll_wait_seconds" -> {
          if (number(name, value) > 0) {
            warnings.add("--" + name + "=" + value + ": maas loads the models once, at start; new versions under"
                + " a base path (or a changed config file) are served after a restart");
          }
        }
        case "enable_batching" -> {
          if (bool(name, value)) {
            throw refused(name, REFUSED.get("batching_parameters_file"));
          }
        }
        default -> {
          if (REFUSED.containsKey(name) && !value.isEmpty()) {
            throw refused(name, REFUSED.get(name));
          }
          warnings.add("--" + name + " is a tensorflow_model_server flag maas does not need: ignored");
        }
      }
    }
    return new TfServingCommandLine(
        new CommandLine("standalone", base.configFile(), modeDefaults(), overrides), List.copyOf(warnings));
  }

  /**
   * The drop-in's defaults, over {@code conf/maas.yaml} and under everything else: REST and gRPC together on
   * 127.0.0.1:8500, API keys off, the admin server on a random port, a cluster of its own (a fresh name, no
   * member list: Hazelcast starts standalone).
   */
  public static JsonObject modeDefaults() {
    return new JsonObject()
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("http_port", DEFAULT_PORT)
            .put("grpc_on_http_port", true).put("auth_enabled", false).put("admin_port", 0))
        .put("cluster", new JsonObject().put("name", "tfserving-" + UUID.randomUUID()).put("members", new JsonArray()));
  }

  /**
   * {@code --port} serves both edges, unless {@code --rest_api_port} moves REST to a port of its own. Without
   * either, the mode's defaults put both on 8500.
   */
  private static void ports(Map<String, String> tf, JsonObject gateway) {
    if (!tf.containsKey("port") && !tf.containsKey("rest_api_port")) {
      return;
    }
    long port = tf.containsKey("port") ? port("port", tf.get("port")) : DEFAULT_PORT;
    long rest = tf.containsKey("rest_api_port") ? port("rest_api_port", tf.get("rest_api_port")) : 0;
    if (rest == 0 || rest == port) {
      gateway.put("http_port", port).put("grpc_on_http_port", true);
    } else {
      gateway.put("http_port", rest).put("grpc_port", port).put("grpc_on_http_port", false);
    }
  }

  private static List<ModelBasePath> models(Map<String, String> tf, List<String> warnings) {
    String basePath = tf.get("model_base_path");
    String configFile = tf.get("model_config_file");
    if (basePath != null && configFile != null) {
      throw new IllegalArgumentException("--model_base_path and --model_config_file both name models: give one");
    }
    if (configFile != null) {
      if (tf.containsKey("model_name")) {
        throw new IllegalArgumentException("--model_name goes with --model_base_path; --model_config_file names its models");
      }
      ModelConfigList list = ModelConfigList.read(Path.of(configFile));
      warnings.addAll(list.warnings());
      return list.models();
    }
    if (basePath == null || basePath.isBlank()) {
      throw new IllegalArgumentException("tensorflow_model_server's flags need --model_base_path (with --model_name)"
          + " or --model_config_file");
    }
    return List.of(new ModelBasePath(tf.getOrDefault("model_name", "default"), Path.of(basePath)));
  }

  private static IllegalArgumentException refused(String flag, String instead) {
    return new IllegalArgumentException("--" + flag + " is not supported by maas: " + instead);
  }

  private static long port(String flag, String value) {
    long port = number(flag, value);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--" + flag + " must be a port number (0-65535), not " + value);
    }
    return port;
  }

  private static long positive(String flag, String value) {
    long n = number(flag, value);
    if (n <= 0) {
      throw new IllegalArgumentException("--" + flag + " must be a positive number, not " + value);
    }
    return n;
  }

  private static long number(String flag, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + flag + " must be a number, not '" + value + "'");
    }
  }

  private static boolean bool(String flag, String value) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new IllegalArgumentException("--" + flag + " must be true or false, not '" + value + "'");
    };
  }
}
