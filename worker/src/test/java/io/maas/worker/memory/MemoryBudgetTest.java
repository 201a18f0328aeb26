package io.maas.worker.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.OperatingSystemMXBean;
import io.maas.config.SessionConfig;
import io.maas.config.SimConfig;
import io.maas.config.SlotConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each slot's budget: memory_limit_mb when set, else 4096 MiB on sim, half the physical memory shared by the cpu
 * slots, a GPU's memory less 10 % as a fake nvidia-smi reports it; without nvidia-smi a cuda slot is refused,
 * asking for memory_limit_mb. No GPU is needed: the command is a script or a path that does not exist.
 */
class MemoryBudgetTest {
  private static final long MIB = 1024 * 1024;
  private static final long GIB = 1024 * MIB;
  private static final SessionConfig SESSION = new SessionConfig(1, 1, "all");

  @TempDir
  Path dir;

  private static SlotConfig slot(String device, long memoryLimitMb) {
    return new SlotConfig(device, device.startsWith("cuda:") ? List.of("cuda") : List.of(), SESSION,
        SimConfig.DEFAULT, memoryLimitMb);
  }

  private GpuMemory missingCommand() {
    return new GpuMemory(dir.resolve("no-such-nvidia-smi").toString());
  }

  /** A stand-in for nvidia-smi: answers with the script's body, after checking it was asked the right thing. */
  private GpuMemory fakeNvidiaSmi(String body) throws IOException {
    Path script = dir.resolve("nvidia-smi");
    Files.writeString(script, "#!/bin/sh\n"
        + "[ \"$1 $2 $3\" = \"--query-gpu=memory.total --format=csv,noheader,nounits -i\" ] || { echo \"asked: $*\"; exit 2; }\n"
        + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return new GpuMemory(script.toString());
  }

  @Test
  void aStatedMemoryLimitIsTheBudgetOnEveryDevice() {
    MemoryBudget budgets = new MemoryBudget(64 * GIB, 1, missingCommand());
    assertEquals(1500 * MIB, budgets.bytesFor(slot("cpu", 1500)));
    assertEquals(200 * MIB, budgets.bytesFor(slot("sim", 200)));
    assertEquals(14000 * MIB, budgets.bytesFor(slot("cuda:0", 14000)), "no nvidia-smi needed then");
  }

  @Test
  void aSimSlotDefaultsTo4GiB() {
    assertEquals(4096 * MIB, new MemoryBudget(64 * GIB, 0, missingCommand()).bytesFor(slot("sim", 0)));
  }

  @Test
  void cpuSlotsShareHalfThePhysicalMemoryEqually() {
    assertEquals(8 * GIB, new MemoryBudget(16 * GIB, 1, missingCommand()).bytesFor(slot("cpu", 0)));
    assertEquals(4 * GIB, new MemoryBudget(16 * GIB, 2, missingCommand()).bytesFor(slot("cpu", 0)));
  }

  @Test
  void aProcessCountsItsOwnCpuSlotsOnThisMachinesMemory() {
    long physical = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    List<SlotConfig> slots = List.of(slot("cpu", 0), slot("sim", 0), slot("cpu", 0));
    assertEquals(physical / 2 / 2, MemoryBudget.forProcess(slots).bytesFor(slots.get(0)), "two cpu slots, one sim");
  }

  @Test
  void aCudaSlotTakesItsGpusMemoryLessTenPercent() throws IOException {
    GpuMemory gpus = fakeNvidiaSmi("[ \"$4\" = 1 ] && echo 16384 || echo 8192");
    assertEquals(16384 * MIB * 9 / 10, new MemoryBudget(64 * GIB, 0, gpus).bytesFor(slot("cuda:1", 0)));
    assertEquals(8192 * MIB * 9 / 10, new MemoryBudget(64 * GIB, 0, gpus).bytesFor(slot("cuda:0", 0)));
  }

  @Test
  void aCudaSlotWithoutNvidiaSmiIsRefusedAskingForMemoryLimitMb() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new MemoryBudget(64 * GIB, 0, missingCommand()).bytesFor(slot("cuda:0", 0)));
    assertTrue(e.getMessage().contains("slot cuda:0") && e.getMessage().contains("memory_limit_mb")
        && e.getMessage().contains("no-such-nvidia-smi"), e.getMessage());
  }

  @Test
  void aFailingNvidiaSmiIsRefusedWithWhatItSaid() throws IOException {
    GpuMemory gpus = fakeNvidiaSmi("echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\";"
        + " exit 9");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new MemoryBudget(64 * GIB, 0, gpus).bytesFor(slot("cuda:0", 0)));
    assertTrue(e.getMessage().contains("couldn't communicate") && e.getMessage().contains("exit 9")
        && e.getMessage().contains("memory_limit_mb"), e.getMessage());
  }

  @Test
  void nvidiaSmisAnswerIsAWholeNumberOfMib() {
    assertEquals(16384, GpuMemory.parseMib("16384\n"));
    assertEquals(81920, GpuMemory.parseMib(" 81920 \n81920\n"), "the first line: one GPU asked");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuMemory.parseMib("[N/A]"));
    assertTrue(e.getMessage().contains("[N/A]"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> GpuMemory.parseMib(""));
    assertThrows(IllegalStateException.class, () -> GpuMemory.parseMib("0"));
  }
}
