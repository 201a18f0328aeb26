package io.maas.config;

import io.vertx.core.json.JsonObject;

/** Checked reads of required configuration values, with errors that name the key. */
final class ConfigValues {
  private ConfigValues() {}

  static long positiveLong(JsonObject j, String section, String key) {
    Long v = j.getLong(key);
    if (v == null || v <= 0) {
      throw new IllegalArgumentException(section + "." + key + " must be a positive number, not " + j.getValue(key));
    }
    return v;
  }

  static long nonNegativeLong(JsonObject j, String section, String key) {
    Long v = j.getLong(key);
    if (v == null || v < 0) {
      throw new IllegalArgumentException(section + "." + key + " must be a number, 0 or more, not " + j.getValue(key));
    }
    return v;
  }

  static int port(JsonObject j, String section, String key) {
    Integer v = j.getInteger(key);
    if (v == null || v < 0 || v > 65535) {
      throw new IllegalArgumentException(section + "." + key + " must be a port number (0-65535), not " + j.getValue(key));
    }
    return v;
  }

  /** A positive number; text that reads as one is taken too (environment variables and flags come as text). */
  static double positiveDouble(JsonObject j, String section, String key) {
    Object raw = j.getValue(key);
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
    Object raw = j.getValue(key);
    if (raw instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(section + "." + key + " must be true or false, not " + raw);
  }
}
