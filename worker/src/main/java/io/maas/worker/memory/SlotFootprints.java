package io.maas.worker.memory;

import io.maas.config.SlotConfig;
import io.maas.worker.repository.ModelDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the model versions of one device slot take, or are expected to take, there. A loaded version's footprint is
 * what its device measured as it loaded (see {@link FootprintMeter}; on the {@code sim} device, what the simulation
 * takes it to occupy). Before a version was ever loaded on the slot, its footprint is estimated, first rule that
 * applies:
 * <ol>
 *   <li>its configuration's {@code memory_mb};
 *   <li>what it measured the last time it loaded on this slot (remembered after it is unloaded);
 *   <li>on a {@code sim} slot, the slot's {@code sim_model_mb};
 *   <li>twice its model file's size (weights, plus what ONNX Runtime makes of them).
 * </ol>
 * Confined to the slot's event loop: not thread-safe.
 */
public final class SlotFootprints {
  private static final long MIB = 1024 * 1024;

  private final boolean sim;
  private final long simModelBytes;
  /** Model -> its configuration's {@code memory_mb} in bytes (0: not stated). */
  private final Map<String, Long> stated = new HashMap<>();
  /** Version -> the estimate of the device: sim_model_mb, or twice its file's size. */
  private final Map<VersionKey, Long> deviceEstimates = new HashMap<>();
  /** Version -> what it measured the last time it loaded here. */
  private final Map<VersionKey, Long> measured = new HashMap<>();

  private record VersionKey(String model, String version) {}

  private SlotFootprints(boolean sim, long simModelBytes) {
    this.sim = sim;
    this.simModelBytes = simModelBytes;
  }

  public static SlotFootprints of(SlotConfig slot) {
    return new SlotFootprints(slot.isSim(), slot.sim().modelMb() * MIB);
  }

  /**
   * Learns a model's definition: its stated {@code memory_mb} and its versions' files. Reads the files' sizes (a
   * file-system lookup each, as a load's fingerprint does).
   */
  public void define(ModelDefinition definition) {
    stated.put(definition.name(), definition.config().memoryEstimateBytes());
    definition.versions().forEach((number, file) -> deviceEstimates.put(
        new VersionKey(definition.name(), Long.toString(number)), sim ? simModelBytes : 2 * size(file)));
  }

  /** The footprint a version is expected to take on this slot, as it is not (or not yet) loaded here. */
  public Footprint estimate(String model, String version) {
    long memoryMb = stated.getOrDefault(model, 0L);
    if (memoryMb > 0) {
      return Footprint.estimated(memoryMb);
    }
    VersionKey key = new VersionKey(model, version);
    Long last = measured.get(key);
    if (last != null) {
      return Footprint.measured(last);
    }
    return Footprint.estimated(deviceEstimates.getOrDefault(key, sim ? simModelBytes : 0L));
  }

  /**
   * The footprint of a version that just loaded: what its device measured, remembered for later estimates; its
   * estimate where the device could not measure it.
   */
  public Footprint loaded(String model, String version, OptionalLong measuredBytes) {
    if (measuredBytes.isEmpty()) {
      return estimate(model, version);
    }
    measured.put(new VersionKey(model, version), measuredBytes.getAsLong());
    return Footprint.measured(measuredBytes.getAsLong());
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
