package io.maas.worker.memory;

import io.maas.config.SlotConfig;
import java.util.List;

/**
 * What a worker process's device slots share about memory: how their budgets are worked out, and the one meter
 * under whose lock their loads are measured. Made once where the slots are deployed and handed to each.
 */
public record ProcessMemory(MemoryBudget budgets, FootprintMeter meter) {

  /** This process's, for these slots. */
  public static ProcessMemory of(List<SlotConfig> slots) {
    return new ProcessMemory(MemoryBudget.forProcess(slots), FootprintMeter.ofProcess());
  }
}
