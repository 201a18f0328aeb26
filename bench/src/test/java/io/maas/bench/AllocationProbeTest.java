package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AllocationProbeTest {
  @Test
  void readsTheAllocationCounterFromAPrometheusExposition() {
    String text = """
        # HELP jvm_gc_memory_allocated_bytes_total Incremented for an increase in the size of the young heap
        # TYPE jvm_gc_memory_allocated_bytes_total counter
        jvm_gc_memory_allocated_bytes_total{process="a b"} 1.2345678E8
        jvm_gc_memory_allocated_bytes_totally_different 5
        jvm_gc_memory_promoted_bytes_total 42.0
        """;
    assertEquals(OptionalLong.of(123_456_780L), AllocationProbe.counter(text));
  }

  @Test
  void anExpositionWithoutTheCounterGivesNothing() {
    assertTrue(AllocationProbe.counter("jvm_threads_live_threads 12.0\n").isEmpty());
  }
}
