package io.maas.config;

import io.vertx.core.json.JsonObject;

/**
 * The cluster's placement of models on workers in placed mode (settings {@code gateway.placement_*}), decided by
 * one gateway at a time (see {@code docs/placement.md}).
 *
 * @param intervalMillis how often the decider looks at the pool again (a request waiting for a model loaded
 *     nowhere is placed at once)
 * @param scaleUpQueue a model version whose requests held per copy (queued or running, as its workers announce
 *     them) stay above this...
 * @param scaleUpAfterMillis ...this long gains a copy where there is room (up to its {@code replicas.max})
 * @param scaleDownIdleMillis a copy beyond {@code replicas.min} on a worker where it took no request this long is
 *     unloaded; a version that took no request anywhere this long may be evicted to its last copy only if its
 *     {@code replicas.min} is 0 (then it loads on demand again)
 */
public record PlacementConfig(long intervalMillis, int scaleUpQueue, long scaleUpAfterMillis, long scaleDownIdleMillis) {

  /** The defaults of conf/maas.yaml. */
  public static final PlacementConfig DEFAULT = new PlacementConfig(250, 4, 2000, 60_000);

  public PlacementConfig {
    if (intervalMillis < 10 || intervalMillis > 60_000) {
      throw new IllegalArgumentException("gateway.placement_interval_ms must be within 10..60000, not " + intervalMillis);
    }
    if (scaleUpQueue < 1) {
      throw new IllegalArgumentException("gateway.placement_scale_up_queue must be 1 or more, not " + scaleUpQueue);
    }
    if (scaleUpAfterMillis < 0) {
      throw new IllegalArgumentException("gateway.placement_scale_up_after_ms must be 0 or more, not " + scaleUpAfterMillis);
    }
    if (scaleDownIdleMillis < 1000) {
      throw new IllegalArgumentException("gateway.placement_scale_down_idle_ms must be 1000 or more, not "
          + scaleDownIdleMillis);
    }
  }

  static PlacementConfig fromJson(JsonObject j) {
    return new PlacementConfig(
        ConfigValues.nonNegativeLong(j, "gateway", "placement_interval_ms"),
        ConfigValues.integer(j, "gateway", "placement_scale_up_queue"),
        ConfigValues.nonNegativeLong(j, "gateway", "placement_scale_up_after_ms"),
        ConfigValues.nonNegativeLong(j, "gateway", "placement_scale_down_idle_ms"));
  }
}
