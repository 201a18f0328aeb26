package io.maas.worker.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's resident set size (RSS): the physical memory it holds now, Java heap and native memory (ONNX
 * Runtime's sessions) alike. Read from Linux's {@code /proc/self/statm} (its second field counts resident pages)
 * times the page size, which the kernel gives the process in its auxiliary vector ({@code AT_PAGESZ} in
 * {@code /proc/self/auxv}). Where these files do not exist (not Linux), the size is unknown.
 */
public final class ResidentMemory {
  /** Linux's {@code AT_PAGESZ}: the auxiliary vector's entry holding the page size. */
  private static final long AT_PAGESZ = 6;
  /** The page size where the auxiliary vector cannot be read: Linux's on x86-64 and most arm64 kernels. */
  static final long DEFAULT_PAGE_SIZE = 4096;

  private final Path statm;
  private final long pageSize;

  /**
   * @param statm a file in {@code /proc/<pid>/statm}'s format
   * @param pageSize the bytes of one page
   */
  public ResidentMemory(Path statm, long pageSize) {
    if (pageSize <= 0) {
      throw new IllegalArgumentException("a page size must be positive, not " + pageSize);
    }
    this.statm = statm;
    this.pageSize = pageSize;
  }

  /** This process's resident set. */
  public static ResidentMemory ofProcess() {
    return new ResidentMemory(Path.of("/proc/self/statm"), pageSize(Path.of("/proc/self/auxv")));
  }

  /** The resident set now, in bytes; empty when it cannot be read. Blocking (reads a file). */
  public OptionalLong bytes() {
    try {
      String[] fields = Files.readString(statm).trim().split("\\s+");
      return fields.length < 2 ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(fields[1]) * pageSize);
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The page size in an auxiliary vector ({@code /proc/self/auxv}: pairs of native 64-bit words, type then value,
   * ending with type 0), or {@link #DEFAULT_PAGE_SIZE} when it cannot be read.
   */
  static long pageSize(Path auxv) {
    try {
      ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(auxv)).order(ByteOrder.nativeOrder());
      while (entries.remaining() >= 16) {
        long type = entries.getLong();
        long value = entries.getLong();
        if (type == AT_PAGESZ && value > 0) {
          return value;
        }
        if (type == 0) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the usual page size
    }
    return DEFAULT_PAGE_SIZE;
  }
}
