package io.maas.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Checked reads of configuration values, with errors that name the key. Every key of {@code conf/maas.yaml} is
 * required: the merged configuration always holds it (the defaults are its first store), so a missing one means
 * the defaults and the code disagree, and the error says which key. No read here has a fallback: the defaults
 * live in {@code conf/maas.yaml} only.
 */
final class ConfigValues {
  private ConfigValues() {}

  /** The value of a key; it must be there. */
  static Object required(JsonObject j, String section, String key) {
    Object v = j == null ? null : j.getValue(key);
    if (v == null) {
      throw new IllegalArgumentException("configuration key '" + section + "." + key + "' is missing: "
          + ConfigLoader.DEFAULTS + " sets every key, is it an old copy?");
    }
    return v;
  }

  /** A section of keys (a YAML mapping). */
  static JsonObject section(JsonObject j, String section, String key) {
    if (!(required(j, section, key) instanceof JsonObject s)) {
      throw new IllegalArgumentException(section + "." + key + " is a section of keys, not the value " + j.getValue(key));
    }
    return s;
  }

  /**
   * Refuses an entry of a list (a slot, a served model) holding a key nobody reads.
   *
   * @param where the entry, for the message ({@code a worker.slots entry})
   */
  static void onlyKeys(JsonObject entry, Collection<String> keys, String where) {
    for (String key : entry.fieldNames()) {
      if (!keys.contains(key)) {
        String nearest = keys.stream().min(Comparator.comparingInt(k -> KnownKeys.distance(k, key))).orElseThrow();
        throw new IllegalArgumentException("unknown key '" + key + "' in " + where + ": "
            + (KnownKeys.distance(nearest, key) <= Math.max(2, key.length() / 3) ? "did you mean '" + nearest + "'?"
                : "the keys are " + String.join(", ", keys)));
      }
    }
  }

  /** Text; a number or boolean given where text is expected is taken as its text. */
  static String text(JsonObject j, String section, String key) {
    Object v = required(j, section, key);
    if (v instanceof JsonObject || v instanceof JsonArray) {
      throw new IllegalArgumentException(section + "." + key + " must be text, not " + v);
    }
    return v.toString();
  }

  /** A list of text: a YAML/JSON list, or text with comma-separated items (environment variables, flags). */
  static List<String> textList(JsonObject j, String section, String key) {
    Object v = required(j, section, key);
    if (v instanceof JsonArray a) {
      return a.stream().map(Object::toString).toList();
    }
    if (v instanceof JsonObject) {
      throw new IllegalArgumentException(section + "." + key + " must be a list, not " + v);
    }
    return List.of(v.toString().split(",")).stream().map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  static long positiveLong(JsonObject j, String section, String key) {
    long v = number(j, section, key, "a positive number");
    if (v <= 0) {
      throw new IllegalArgumentException(section + "." + key + " must be a positive number, not " + v);
    }
    return v;
  }

  static long nonNegativeLong(JsonObject j, String section, String key) {
    long v = number(j, section, key, "a number, 0 or more");
    if (v < 0) {
      throw new IllegalArgumentException(section + "." + key + " must be a number, 0 or more, not " + v);
    }
    return v;
  }

  static int integer(JsonObject j, String section, String key) {
    long v = number(j, section, key, "a whole number");
    if (v != (int) v) {
      throw new IllegalArgumentException(section + "." + key + " must be a whole number, not " + v);
    }
    return (int) v;
  }

  static int port(JsonObject j, String section, String key) {
    long v = number(j, section, key, "a port number (0-65535)");
    if (v < 0 || v > 65535) {
      throw new IllegalArgumentException(section + "." + key + " must be a port number (0-65535), not " + v);
    }
    return (int) v;
  }

  private static long number(JsonObject j, String section, String key, String what) {
    Object v = required(j, section, key);
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw new IllegalArgumentException(section + "." + key + " must be " + what + ", not " + v);
  }

  /** A positive number; text that reads as one is taken too (environment variables and flags come as text). */
  static double positiveDouble(JsonObject j, String section, String key) {
    Object raw = required(j, section, key);
    double v = Double.NaN;
    if (raw instanceof Number n) {
      v = n.doubleValue();
    } else if (raw instanceof String s) {
      try {
        v = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(section + "." + key + " must be a positive number, not " + raw);
    }
    return v;
  }

  static boolean bool(JsonObject j, String section, String key) {
    Object raw = required(j, section, key);
    if (raw instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(section + "." + key + " must be true or false, not " + raw);
  }
}
