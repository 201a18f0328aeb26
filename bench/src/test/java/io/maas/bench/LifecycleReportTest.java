package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bench.report.Goal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lifecycle bench's figures and verdicts: RSS of the last cycle against the first, first-request p50s. */
class LifecycleReportTest {

  private static List<LifecycleReport.Cycle> cycles(long firstKb, long perCycleKb, int n) {
    List<LifecycleReport.Cycle> cycles = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      cycles.add(new LifecycleReport.Cycle(i, 500, 10, 50, firstKb + (i - 1) * perCycleKb, firstKb / 2, 1e8, 2e8));
    }
    return cycles;
  }

  private static final List<LifecycleReport.Load> LOADS = List.of(
      new LifecycleReport.Load(false, false, 1, 600, 90, 5, 8), new LifecycleReport.Load(true, false, 1, 650, 12, 5, 8),
      new LifecycleReport.Load(false, false, 2, 600, 110, 5, 8), new LifecycleReport.Load(true, false, 2, 650, 10, 5, 8),
      new LifecycleReport.Load(false, false, 3, 600, 100, 5, 8), new LifecycleReport.Load(true, false, 3, 650, 14, 5, 8),
      new LifecycleReport.Load(false, true, 1, 9000, 300, 5, 20), new LifecycleReport.Load(true, true, 1, 9500, 400, 5, 20));

  @Test
  void medians() {
    assertEquals(2, LifecycleReport.median(new double[] {3, 1, 2}));
    assertEquals(2.5, LifecycleReport.median(new double[] {4, 1, 2, 3}));
    assertTrue(Double.isNaN(LifecycleReport.median(new double[0])));
  }

  @Test
  void rssWithinTenPercentIsMetAndGrowthPastItIsMissed() {
    List<Goal> met = LifecycleReport.goals(cycles(400 * 1024, 512, 50), LOADS);
    assertEquals("MET", met.get(0).verdict(), met.get(0).measured()); // 400 -> 424.5 MB
    assertEquals("1.06 × (425 / 400 MB)", met.get(0).measured());
    List<Goal> missed = LifecycleReport.goals(cycles(400 * 1024, 2048, 50), LOADS);
    assertEquals("MISSED", missed.get(0).verdict(), missed.get(0).measured()); // 400 -> 498 MB
    assertEquals(2.0, LifecycleReport.rssSlopeMb(cycles(400 * 1024, 2048, 50), 10), 1e-9);
  }

  @Test
  void firstRequestP50sAreComparedSideBySide() {
    Goal g = LifecycleReport.goals(cycles(1024, 0, 2), LOADS).get(1);
    assertEquals("12.00 ms with, 100.0 ms without (0.12 ×)", g.measured());
    assertEquals("MET", g.verdict());
    Goal fresh = LifecycleReport.goals(cycles(1024, 0, 2), LOADS).get(2);
    assertEquals("400.0 ms with, 300.0 ms without (1.33 ×)", fresh.measured());
    assertEquals("MISSED", fresh.verdict(), "reported, not hidden");
    assertNull(LifecycleReport.goals(List.of(), List.of()).get(1).met(), "nothing measured, no verdict");
    String md = LifecycleReport.markdown(new LifecycleReport.Settings(2, 3, 1, "{}", "t", "model_warmup: []\n"),
        "machine", cycles(1024, 0, 2), LOADS, List.of(), "1 min");
    assertTrue(md.contains("| minilm | no | 3 | 600.0 | 100.0 | 90.00 | 110.0 | 5.000 | 8.000 |"), md);
    assertTrue(md.contains("| minilm_warm | yes | 3 | 650.0 | 12.00 | 10.00 | 14.00 | 5.000 | 8.000 |"), md);
    assertTrue(md.contains("| minilm_warm | yes | 1 | 9500.0 | 400.0 | 400.0 | 400.0 | 5.000 | 20.00 |"), md);
    assertEquals(1 + 2 + 8, LifecycleReport.csv(cycles(1024, 0, 2), LOADS).lines().count());
  }

  @Test
  void nativeMemoryTrackingSummariesAreReadByCategory() {
    String summary = """
        Native Memory Tracking:

        (Omitting categories weighting less than 1KB)

        Total: reserved=1937364KB, committed=354532KB
               malloc: 30000KB #100
        -                 Java Heap (reserved=524288KB, committed=218112KB)
                                    (mmap: reserved=524288KB, committed=218112KB)

        -                     Class (reserved=1048981KB, committed=13717KB)
                                    (classes #17386)
        """;
    LifecycleReport.Nmt nmt = LifecycleReport.Nmt.parse(50, 400_000, summary);
    assertEquals(354532, nmt.committed("Total"));
    assertEquals(218112, nmt.committed("Java Heap"));
    assertEquals(13717, nmt.committed("Class"));
    String md = LifecycleReport.markdown(new LifecycleReport.Settings(2, 0, 0, "{}", "t", ""), "m",
        cycles(300_000, 0, 2), List.of(), List.of(LifecycleReport.Nmt.parse(1, 300_000, summary), nmt), "1 min");
    assertTrue(md.contains("| Java Heap | 213.0 | 213.0 | +0.0 |"), md);
    assertTrue(md.contains("| RSS | 293.0 | 390.6 | +97.7 |"), md);
  }

  @Test
  void theResidentSetSplitsIntoTheJavaHeapAndTheRest() {
    long[] range = MemoryProbe.heapRange("""
        12345:
         garbage-first heap   total 110592K, used 29734K [0x00000000e0000000, 0x0000000100000000)
          region size 1024K, 2 young (2048K), 1 survivors (1024K)
        """);
    assertEquals(0xe0000000L, range[0]);
    assertEquals(0x100000000L, range[1]);
    String smaps = """
        00400000-00401000 r-xp 00000000 08:01 123 /usr/bin/java
        Size:                  4 kB
        Rss:                   4 kB
        e0000000-e8000000 rw-p 00000000 00:00 0
        Size:             131072 kB
        Rss:               90000 kB
        e8000000-100000000 ---p 00000000 00:00 0
        Size:             393216 kB
        Rss:                   0 kB
        7f0000000000-7f0000100000 rw-p 00000000 00:00 0
        Size:               1024 kB
        Rss:                 512 kB
        """;
    assertEquals(90000, MemoryProbe.rssWithin(smaps, range));
  }
}
