package io.maas.gateway.pipeline;

import io.maas.error.MaasException;
import io.maas.gateway.tenancy.QueueShare;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;

/**
 * The priority level a request is queued at on its worker, with Triton's vocabulary: a model's
 * {@code dynamic_batching.priority_levels} are numbered from 1 (the highest); the request parameter {@code priority}
 * names one, 0 (or none) meaning the default. A model without priority levels has one level. The default is the
 * key's {@code default_priority}, else the model's {@code default_priority_level}; a key's {@code max_priority}
 * clamps what its requests ask for, never refusing them. Levels a key names that a model lacks are read as its
 * lowest level.
 */
final class PriorityLevel {
  /** The request parameter naming a level. */
  static final String PARAMETER = "priority";

  private PriorityLevel() {}

  /**
   * The level of a request for a resolved version.
   *
   * @throws MaasException INVALID_ARGUMENT when {@code priority} is not an integer within 0..levels
   */
  static int of(JsonObject parameters, ModelStatus version, QueueShare share) {
    JsonObject batching = version.config().getJsonObject("dynamic_batching", new JsonObject());
    int configured = (int) number(batching.getValue("priority_levels"));
    int levels = Math.max(1, configured);
    int modelDefault = (int) Math.min(levels, Math.max(1, number(batching.getValue("default_priority_level"))));
    long asked = asked(parameters.getValue(PARAMETER), levels, version);
    long level = asked > 0 ? asked
        : share.defaultPriority() > 0 ? Math.min(levels, share.defaultPriority()) : modelDefault;
    return (int) (share.maxPriority() > 0 ? Math.max(level, Math.min(levels, share.maxPriority())) : level);
  }

  private static long asked(Object raw, int levels, ModelStatus version) {
    if (raw == null) {
      return 0;
    }
    if (!(raw instanceof Integer || raw instanceof Long || raw instanceof BigInteger)) {
      throw MaasException.invalid("parameters.%s must be an integer priority level within 0..%d, not %s", PARAMETER,
          levels, raw instanceof String ? "\"" + raw + "\"" : raw);
    }
    if (raw instanceof BigInteger || ((Number) raw).longValue() < 0 || ((Number) raw).longValue() > levels) {
      throw MaasException.invalid("parameters.%s must be within 0..%d (0: the default level; model '%s' has %d "
          + "priority level%s), not %s", PARAMETER, levels, version.name(), levels, levels == 1 ? "" : "s", raw);
    }
    return ((Number) raw).longValue();
  }

  /** A whole number from a config value (Triton's JSON writes 64-bit integers as strings); 0 when absent. */
  private static long number(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s && s.matches("\\d{1,9}")) {
      return Long.parseLong(s);
    }
    return 0;
  }
}
