package io.maas.worker.repository;

import io.maas.config.SlotConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * Where a model's instances run and how many there are per device slot (Triton's
 * {@code instance_group}). {@code kind} is {@code KIND_AUTO} (any slot), {@code KIND_CPU} or
 * {@code KIND_GPU}; {@code gpus} narrows GPU placement to some device ids (empty: all).
 */
public record InstancePlacement(int count, String kind, List<Integer> gpus) {

  public static final InstancePlacement DEFAULT = new InstancePlacement(1, "KIND_AUTO", List.of());

  public InstancePlacement {
    if (count < 1) {
      throw new IllegalArgumentException("an instance count must be at least 1, not " + count);
    }
    kind = kind.toUpperCase(Locale.ROOT);
    if (!kind.matches("KIND_(AUTO|CPU|GPU)")) {
      throw new IllegalArgumentException("instance kind must be KIND_AUTO, KIND_CPU or KIND_GPU, not " + kind);
    }
    gpus = List.copyOf(gpus);
  }

  /** Triton's {@code instance_group} entry: {@code {count, kind, gpus}} ({@code gpus} only when narrowed). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("count", count).put("kind", kind);
    return gpus.isEmpty() ? json : json.put("gpus", new JsonArray(gpus));
  }

  /** Whether instances of the model belong on this slot. */
  public boolean accepts(SlotConfig slot) {
    return switch (kind) {
      case "KIND_CPU" -> !slot.isGpu();
      case "KIND_GPU" -> slot.isGpu() && (gpus.isEmpty() || gpus.contains(slot.deviceId()));
      default -> true;
    };
  }

  /**
   * Reads {@code instance_group: [{count, kind, gpus}]} (the first group) or the shorthand
   * {@code instance_count: N}.
   */
  static InstancePlacement fromJson(JsonObject config) {
    JsonArray groups = config.getJsonArray("instance_group");
    if (groups != null && !groups.isEmpty()) {
      if (groups.size() > 1) {
        throw new IllegalArgumentException("only one instance_group is supported");
      }
      JsonObject g = groups.getJsonObject(0);
      return new InstancePlacement(
          g.getInteger("count", 1),
          g.getString("kind", "KIND_AUTO"),
          g.getJsonArray("gpus", new JsonArray()).stream().map(o -> ((Number) o).intValue()).toList());
    }
    return new InstancePlacement(config.getInteger("instance_count", 1), "KIND_AUTO", List.of());
  }
}
