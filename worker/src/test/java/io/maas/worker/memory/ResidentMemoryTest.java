package io.maas.worker.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resident set: statm's resident pages times the page size from the auxiliary vector; unknown without them. */
class ResidentMemoryTest {
  @TempDir
  Path dir;

  @Test
  void residentPagesTimesThePageSize() throws Exception {
    Path statm = Files.writeString(dir.resolve("statm"), "1000 250 30 5 0 400 0\n");
    assertEquals(OptionalLong.of(250L * 65536), new ResidentMemory(statm, 65536).bytes());
  }

  @Test
  void withoutStatmTheResidentSetIsUnknown() throws Exception {
    assertEquals(OptionalLong.empty(), new ResidentMemory(dir.resolve("none"), 4096).bytes());
    Path garbage = Files.writeString(dir.resolve("statm"), "nothing here");
    assertEquals(OptionalLong.empty(), new ResidentMemory(garbage, 4096).bytes());
  }

  @Test
  void thePageSizeIsTheAuxiliaryVectorsAtPagesz() throws Exception {
    ByteBuffer auxv = ByteBuffer.allocate(6 * 8).order(ByteOrder.nativeOrder());
    auxv.putLong(33).putLong(0x7fff0000L).putLong(6).putLong(65536).putLong(0).putLong(0);
    assertEquals(65536, ResidentMemory.pageSize(Files.write(dir.resolve("auxv"), auxv.array())));
    assertEquals(ResidentMemory.DEFAULT_PAGE_SIZE, ResidentMemory.pageSize(dir.resolve("none")));
    assertEquals(ResidentMemory.DEFAULT_PAGE_SIZE, ResidentMemory.pageSize(Files.write(dir.resolve("short"), new byte[5])));
  }

  @Test
  void thisProcessesResidentSetIsReadOnLinux() {
    assumeTrue(Files.isReadable(Path.of("/proc/self/statm")), "Linux only");
    long page = ResidentMemory.pageSize(Path.of("/proc/self/auxv"));
    assertTrue(page >= 4096 && Long.bitCount(page) == 1, "a page size: " + page);
    long rss = ResidentMemory.ofProcess().bytes().orElseThrow();
    assertTrue(rss > 16L * 1024 * 1024, "a JVM holds more than 16 MiB: " + rss);
  }
}
