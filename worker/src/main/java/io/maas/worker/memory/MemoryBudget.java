package io.maas.worker.memory;

import com.sun.management.OperatingSystemMXBean;
import io.maas.config.SlotConfig;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The memory budget of each of a process's device slots, in bytes: placement never asks a slot to hold model
 * versions whose footprints add up to more. A slot's budget is
 * <ul>
 *   <li>its {@code memory_limit_mb}, when set (not 0);
 *   <li>on a {@code sim} slot, {@value #SIM_DEFAULT_MB} MiB (the simulated device has no memory of its own);
 *   <li>on a {@code cpu} slot, half the machine's physical memory, shared equally among the process's {@code cpu}
 *       slots (the other half is left to the JVM, the gateway and the system);
 *   <li>on a {@code cuda:N} slot, the GPU's total memory less {@value #GPU_HEADROOM_PERCENT} % headroom (for ONNX
 *       Runtime's workspace and the CUDA context), as {@code nvidia-smi} reports it. Where {@code nvidia-smi}
 *       cannot be run there is no default: the slot must state {@code memory_limit_mb}.
 * </ul>
 */
public final class MemoryBudget {
  public static final long SIM_DEFAULT_MB = 4096;
  public static final int GPU_HEADROOM_PERCENT = 10;
  private static final long MIB = 1024 * 1024;

  private final long physicalMemoryBytes;
  private final int cpuSlots;
  private final GpuMemory gpus;

  /**
   * @param physicalMemoryBytes the machine's physical memory
   * @param cpuSlots how many {@code cpu} slots the process runs (they share half the physical memory)
   * @param gpus where GPUs' total memory is read
   */
  public MemoryBudget(long physicalMemoryBytes, int cpuSlots, GpuMemory gpus) {
    this.physicalMemoryBytes = physicalMemoryBytes;
    this.cpuSlots = Math.max(1, cpuSlots);
    this.gpus = gpus;
  }

  /** The budgets of this process's slots, on this machine, GPUs read with {@code nvidia-smi} from the PATH. */
  public static MemoryBudget forProcess(List<SlotConfig> slots) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new MemoryBudget(os.getTotalMemorySize(), (int) slots.stream().filter(s -> s.device().equals("cpu")).count(),
        new GpuMemory(GpuMemory.NVIDIA_SMI));
  }

  /**
   * A slot's budget in bytes. Blocking for a {@code cuda:N} slot without {@code memory_limit_mb} (runs
   * {@code nvidia-smi}).
   *
   * @throws IllegalStateException for a {@code cuda:N} slot whose GPU memory cannot be read: saying why, and asking
   *     for {@code memory_limit_mb}
   */
  public long bytesFor(SlotConfig slot) {
    if (slot.memoryLimitMb() > 0) {
      return slot.memoryLimitMb() * MIB;
    }
    if (slot.isSim()) {
      return SIM_DEFAULT_MB * MIB;
    }
    if (!slot.isGpu()) {
      return physicalMemoryBytes / 2 / cpuSlots;
    }
    try {
      return gpus.totalBytes(slot.deviceId()) * (100 - GPU_HEADROOM_PERCENT) / 100;
    } catch (IllegalStateException e) {
      throw new IllegalStateException("slot " + slot.device() + ": its GPU's memory could not be read ("
          + e.getMessage() + "); state the slot's budget with memory_limit_mb, e.g. {device: " + slot.device()
          + ", memory_limit_mb: 14000}", e);
    }
  }
}
