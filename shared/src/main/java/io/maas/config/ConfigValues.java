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
}
