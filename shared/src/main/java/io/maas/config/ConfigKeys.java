package io.maas.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns flat settings (dotted keys, {@code MAAS_*} environment variables, {@code maas.*} system
 * properties) into configuration fragments.
 *
 * <p>{@code MAAS_<SECTION>_<KEY>} sets {@code <section>.<key>}: {@code MAAS_GATEWAY_HTTP_PORT=9000} sets
 * {@code gateway.http_port}, and {@code MAAS_GATEWAY_TLS_CERT_FILE} the nested {@code gateway.tls.cert_file}. Triton's {@code MAAS_MODEL_REPOSITORY} is an alias for
 * {@code worker.model_repository}, {@code MAAS_ADMIN_TOKEN} one for {@code gateway.admin_token}.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  private static final Map<String, String> ALIASES = Map.of(
      "MAAS_MODEL_REPOSITORY", "worker.model_repository",
      "MAAS_HTTP_PORT", "gateway.http_port",
      "MAAS_ADMIN_TOKEN", "gateway.admin_token");

  /** The fragment set by {@code MAAS_*} variables of the given environment. */
  public static JsonObject fromEnvironment(Map<String, String> env) {
    JsonObject out = new JsonObject();
    env.forEach((name, value) -> {
      String key = keyOfVariable(name);
      if (key != null) {
        put(out, key, value);
      }
    });
    return out;
  }

  /** The fragment set by {@code maas.section.key} system properties. */
  public static JsonObject fromSystemProperties(Map<Object, Object> props) {
    JsonObject out = new JsonObject();
    props.forEach((k, v) -> {
      String name = k.toString();
      if (name.startsWith("maas.") && name.indexOf('.', 5) > 0) {
        put(out, name.substring(5), v.toString());
      }
    });
    return out;
  }

  /**
   * Sections within sections: {@code MAAS_GATEWAY_TLS_CERT_FILE} sets {@code gateway.tls.cert_file},
   * {@code MAAS_WORKER_SESSION_INTRA_OP_THREADS} {@code worker.session.intra_op_threads}. No flat key starts with
   * one of these names and an underscore.
   */
  static final List<String> NESTED = List.of("tls", "session");

  static String keyOfVariable(String name) {
    if (ALIASES.containsKey(name)) {
      return ALIASES.get(name);
    }
    for (String section : new String[] {"GATEWAY", "WORKER", "CLUSTER"}) {
      String prefix = "MAAS_" + section + "_";
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        String key = name.substring(prefix.length()).toLowerCase(Locale.ROOT);
        for (String nested : NESTED) {
          if (key.startsWith(nested + "_") && key.length() > nested.length() + 1) {
            key = nested + "." + key.substring(nested.length() + 1);
          }
        }
        return section.toLowerCase(Locale.ROOT) + "." + key;
      }
    }
    return null;
  }

  /** Sets a dotted key in a fragment; the value is read as JSON where it parses (numbers, booleans, lists). */
  static void put(JsonObject target, String dottedKey, String raw) {
    String[] parts = dottedKey.split("\\.");
    JsonObject node = target;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
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
