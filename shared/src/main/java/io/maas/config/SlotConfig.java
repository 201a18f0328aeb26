package io.maas.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;

/**
 * One device slot: a worker verticle is pinned to it.
 *
 * @param device {@code cpu}, {@code cuda:N}, or {@code sim} (a SIMULATED device that computes nothing, for
 *     capacity tests and benchmarks on machines without GPUs; see {@link SimConfig})
 * @param executionProviders for a {@code cuda:N} slot, the providers in order of preference
 *     ({@code tensorrt}, {@code cuda}); the CPU provider is always the fallback
 * @param session ONNX Runtime session options for this slot
 * @param sim the simulation's settings (used by {@code sim} slots only)
 * @param memoryLimitMb the slot's memory budget ({@code memory_limit_mb}): placement never asks it to hold model
 *     versions whose footprints add up to more; 0: the device's default (see {@code docs/placement.md})
 */
public record SlotConfig(String device, List<String> executionProviders, SessionConfig session, SimConfig sim,
    long memoryLimitMb) {

  public static final String SIM = "sim";

  public SlotConfig {
    if (memoryLimitMb < 0 || memoryLimitMb > 1L << 30) {
      throw new IllegalArgumentException("slot " + device + ": memory_limit_mb must be 0 (the device's default) or a "
          + "positive number of MiB, not " + memoryLimitMb);
    }
    if (!device.equals("cpu") && !device.equals(SIM) && !device.matches("cuda:\\d+")) {
      throw new IllegalArgumentException("a slot's device must be 'cpu', 'cuda:N' or 'sim', not '" + device + "'");
    }
    executionProviders = List.copyOf(executionProviders);
    for (String p : executionProviders) {
      if (!p.equals("tensorrt") && !p.equals("cuda")) {
        throw new IllegalArgumentException("slot " + device + ": unknown execution provider '" + p
            + "'; use tensorrt and/or cuda");
      }
    }
    if (!executionProviders.isEmpty() && !device.startsWith("cuda:")) {
      throw new IllegalArgumentException("slot " + device + ": execution providers are for cuda:N slots");
    }
  }

  /** A slot with the device's default memory budget. */
  public SlotConfig(String device, List<String> executionProviders, SessionConfig session, SimConfig sim) {
    this(device, executionProviders, session, sim, 0);
  }

  /** A slot of a real device (cpu or cuda:N) with the simulation's default settings. */
  public SlotConfig(String device, List<String> executionProviders, SessionConfig session) {
    this(device, executionProviders, session, SimConfig.DEFAULT);
  }

  /** Whether this slot is the simulated device (no ONNX Runtime execution). */
  public boolean isSim() {
    return device.equals(SIM);
  }

  public boolean isGpu() {
    return device.startsWith("cuda:");
  }

  /** The GPU ordinal of a {@code cuda:N} slot. */
  public int deviceId() {
    return isGpu() ? Integer.parseInt(device.substring(5)) : 0;
  }

  /** The keys of a slot object: its own, the simulation's and the session's. */
  static final List<String> KEYS = Stream.concat(
      Stream.of("device", "execution_providers", "memory_limit_mb", "sim_base_ms", "sim_per_item_ms",
          "sim_fail_for_ms", "sim_model_mb"),
      SessionConfig.KEYS.stream()).toList();

  static SlotConfig fromJson(Object o, JsonObject workerSession) {
    if (!(o instanceof String || o instanceof JsonObject)) {
      throw new IllegalArgumentException("worker.slots lists devices (cpu, cuda:N, sim) or objects {device, ...}, not " + o);
    }
    JsonObject j = o instanceof String s ? new JsonObject().put("device", s) : (JsonObject) o;
    ConfigValues.onlyKeys(j, KEYS, "a worker.slots entry");
    String device = j.getString("device", "cpu");
    List<String> providers =
        j.getJsonArray("execution_providers", new JsonArray(device.startsWith("cuda:") ? List.of("cuda") : List.of()))
            .stream()
            .map(Object::toString)
            .toList();
    return new SlotConfig(device, providers, SessionConfig.fromJson(j, workerSession), SimConfig.fromJson(j),
        j.getLong("memory_limit_mb", 0L));
  }
}
