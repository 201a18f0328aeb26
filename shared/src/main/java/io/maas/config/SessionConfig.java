package io.maas.config;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * ONNX Runtime session options for the sessions of one device slot.
 *
 * @param intraOpThreads threads used inside one operator (0: ORT's default, one per core)
 * @param interOpThreads threads used across operators (only with parallel execution)
 * @param optimizationLevel one of {@code none}, {@code basic}, {@code extended}, {@code all}
 */
public record SessionConfig(int intraOpThreads, int interOpThreads, String optimizationLevel) {

  public SessionConfig {
    optimizationLevel = optimizationLevel.toLowerCase(Locale.ROOT);
    if (!optimizationLevel.matches("none|basic|extended|all")) {
      throw new IllegalArgumentException(
          "optimization_level must be none, basic, extended or all, not '" + optimizationLevel + "'");
    }
  }

  static SessionConfig fromJson(JsonObject j, SessionConfig defaults) {
    return new SessionConfig(
        j.getInteger("intra_op_threads", defaults.intraOpThreads),
        j.getInteger("inter_op_threads", defaults.interOpThreads),
        j.getString("optimization_level", defaults.optimizationLevel));
  }
}
