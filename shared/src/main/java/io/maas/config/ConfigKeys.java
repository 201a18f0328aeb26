package io.maas.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns flat settings (dotted keys, {@code MAAS_*} environment variables, {@code maas.*} system properties) into
 * configuration keys and fragments.
 *
 * <p>{@code MAAS_<KEY>} sets a key, at any depth: the variable is the dotted key in upper case with its dots as
 * underscores ({@link KnownKeys#variableOf}), so {@code MAAS_GATEWAY_HTTP_PORT=9000} sets {@code gateway.http_port}
 * and {@code MAAS_WORKER_SESSION_INTRA_OP_THREADS} the nested {@code worker.session.intra_op_threads}. Only
 * variables starting {@code MAAS_GATEWAY_}, {@code MAAS_WORKER_} or {@code MAAS_CLUSTER_} (and the aliases) are
 * configuration; one that names no key becomes {@code <section>.<rest in lower case>}, which the loader refuses as
 * unknown. Triton's {@code MAAS_MODEL_REPOSITORY} is an alias for {@code worker.model_repository},
 * {@code MAAS_HTTP_PORT} one for {@code gateway.http_port}, {@code MAAS_ADMIN_TOKEN} one for
 * {@code gateway.admin_token}.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  static final Map<String, String> ALIASES = Map.of(
      "MAAS_MODEL_REPOSITORY", "worker.model_repository",
      "MAAS_HTTP_PORT", "gateway.http_port",
      "MAAS_ADMIN_TOKEN", "gateway.admin_token");

  private static final List<String> SECTIONS = List.of("gateway", "worker", "cluster");

  /** The key an environment variable sets, or null when the variable is not configuration. */
  static String keyOfVariable(String name, KnownKeys known) {
    if (ALIASES.containsKey(name)) {
      return ALIASES.get(name);
    }
    String key = known.keyOfVariable(name);
    if (key != null) {
      return key;
    }
    for (String section : SECTIONS) {
      String prefix = KnownKeys.variableOf(section) + "_";
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        return section + "." + name.substring(prefix.length()).toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }

  /** The key a system property sets ({@code maas.section.key}), or null when it is not configuration. */
  static String keyOfProperty(String name) {
    return name.startsWith("maas.") && name.indexOf('.', 5) > 0 ? name.substring(5) : null;
  }

  /** Sets a dotted key in a fragment; the value is read as JSON where it parses (numbers, booleans, lists). */
  static void put(JsonObject target, String dottedKey, String raw) {
    String[] parts = dottedKey.split("\\.");
    JsonObject node = target;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.getValue(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      } else if (!(child instanceof JsonObject)) {
        throw new IllegalArgumentException("configuration key '" + dottedKey + "' goes inside '" + parts[i]
            + "', which is set to the value " + child);
      }
      node = (JsonObject) child;
    }
    node.put(parts[parts.length - 1], parseValue(raw));
  }

  private static Object parseValue(String raw) {
    String s = raw.trim();
    if (s.matches("-?\\d+") || s.equals("true") || s.equals("false") || s.startsWith("[") || s.startsWith("{")) {
      try {
        return Json.decodeValue(s);
      } catch (DecodeException e) {
        return raw;
      }
    }
    return raw;
  }
}
