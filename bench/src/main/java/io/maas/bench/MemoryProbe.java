package io.maas.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a process's resident set into its Java heap and the rest: the heap's reserved address range (from
 * {@code jcmd <pid> GC.heap_info}) and the resident pages of {@code /proc/<pid>/smaps} inside it. RSS outside the
 * heap is what ONNX Runtime, the tokenizer and the JVM's own metadata hold; the heap's share only grows until
 * the garbage collector has touched every page it committed.
 */
final class MemoryProbe {
  private static final Pattern HEAP = Pattern.compile("heap\\s+total.*\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");
  private static final Pattern VMA = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) ");

  private MemoryProbe() {}

  /** The heap's reservation {start, end} in a {@code GC.heap_info} answer. */
  static long[] heapRange(String heapInfo) {
    Matcher m = HEAP.matcher(heapInfo);
    if (!m.find()) {
      throw new IllegalStateException("no heap address range in: " + heapInfo);
    }
    return new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)};
  }

  /** The resident kB of the mappings of an smaps text that lie within {start, end}. */
  static long rssWithin(String smaps, long[] range) {
    long kb = 0;
    boolean inside = false;
    for (String line : smaps.split("\n")) {
      Matcher vma = VMA.matcher(line);
      if (vma.find()) {
        long start = Long.parseUnsignedLong(vma.group(1), 16);
        long end = Long.parseUnsignedLong(vma.group(2), 16);
        inside = start >= range[0] && end <= range[1];
      } else if (inside && line.startsWith("Rss:")) {
        kb += Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return kb;
  }
}
