package io.maas.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * API keys, limits and the admin API (settings under {@code gateway.*}).
 *
 * @param authEnabled whether inference and metadata calls need an API key
 * @param adminHost bind address of the admin API
 * @param adminPort admin API port (0: a random one)
 * @param adminToken the admin API's bearer token; empty: {@code MAAS_ADMIN_TOKEN}, else one generated on first
 *     start and kept in {@code <dataDir>/admin-token}
 * @param dataDir where this gateway keeps its durable copy of keys and usage (an H2 database): one per gateway
 *     process
 */
public record TenancyConfig(boolean authEnabled, String adminHost, int adminPort, String adminToken, Path dataDir) {
  /** No keys at all: every call is let in (embedders and tests of other features). */
  public static final TenancyConfig DISABLED = new TenancyConfig(false, "127.0.0.1", 0, "", Path.of("data"));

  static TenancyConfig fromJson(JsonObject gateway) {
    return new TenancyConfig(
        ConfigValues.bool(gateway, "gateway", "auth_enabled"),
        ConfigValues.text(gateway, "gateway", "admin_host"),
        ConfigValues.port(gateway, "gateway", "admin_port"),
        ConfigValues.text(gateway, "gateway", "admin_token"),
        Path.of(ConfigValues.text(gateway, "gateway", "data_dir")));
  }
}
