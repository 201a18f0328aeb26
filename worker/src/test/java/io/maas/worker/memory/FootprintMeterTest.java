package io.maas.worker.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A load's footprint is the resident set's growth, at least the model file's size; unknown without a resident set;
 * the process's loads take turns under the meter's lock.
 */
class FootprintMeterTest {
  private static final long MIB = 1024 * 1024;

  @TempDir
  Path dir;

  /** A resident set that reads these values in turn. */
  private static FootprintMeter meterReading(Long... values) {
    Deque<Long> readings = new ArrayDeque<>(List.of(values));
    return new FootprintMeter(() -> OptionalLong.of(readings.removeFirst()));
  }

  private Path file(int bytes) throws Exception {
    return Files.write(dir.resolve("model.onnx"), new byte[bytes]);
  }

  @Test
  void theFootprintIsTheResidentSetsGrowth() throws Exception {
    FootprintMeter.Measured<String> m = meterReading(100 * MIB, 150 * MIB).measure(file(1024), () -> "sessions");
    assertEquals("sessions", m.value());
    assertEquals(OptionalLong.of(50 * MIB), m.footprintBytes());
  }

  @Test
  void theFootprintIsAtLeastTheModelFilesSize() throws Exception {
    assertEquals(OptionalLong.of(4096), meterReading(100 * MIB, 90 * MIB).measure(file(4096), () -> "").footprintBytes(),
        "the resident set shrank meanwhile (the heap gave pages back)");
    assertEquals(OptionalLong.of(4096), meterReading(100 * MIB, 100 * MIB + 10).measure(file(4096), () -> "")
        .footprintBytes());
  }

  @Test
  void withoutAResidentSetNothingIsMeasured() throws Exception {
    FootprintMeter meter = new FootprintMeter(OptionalLong::empty);
    assertEquals(OptionalLong.empty(), meter.measure(file(4096), () -> "").footprintBytes());
  }

  @Test
  void aFailedLoadMeasuresNothingAndReleasesTheLock() throws Exception {
    FootprintMeter meter = meterReading(1L, 10L, 30L); // the failed load read only the first
    IllegalStateException failure = new IllegalStateException("corrupt model");
    assertSame(failure, assertThrows(IllegalStateException.class, () -> meter.measure(file(1), () -> {
      throw failure;
    })));
    assertEquals(OptionalLong.of(20), meter.measure(file(1), () -> "").footprintBytes(), "the next load measures");
  }

  @Test
  void theProcesssLoadsTakeTurns() throws Exception {
    FootprintMeter meter = new FootprintMeter(() -> OptionalLong.of(0));
    Path file = file(1);
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    AtomicBoolean secondRan = new AtomicBoolean();
    CompletableFuture<Object> first = new CompletableFuture<>();
    Thread a = new Thread(() -> complete(first, () -> meter.measure(file, () -> {
      firstInside.countDown();
      return releaseFirst.await(30, TimeUnit.SECONDS);
    })));
    CompletableFuture<Object> second = new CompletableFuture<>();
    Thread b = new Thread(() -> complete(second, () -> meter.measure(file, () -> secondRan.getAndSet(true))));
    a.start();
    assertTrue(firstInside.await(30, TimeUnit.SECONDS));
    b.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (b.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(Thread.State.WAITING, b.getState(), "the second load waits for the lock");
    assertFalse(secondRan.get(), "and has not started");
    releaseFirst.countDown();
    first.get(30, TimeUnit.SECONDS);
    second.get(30, TimeUnit.SECONDS);
    assertTrue(secondRan.get());
  }

  private interface Measuring {
    Object run() throws Exception;
  }

  private static void complete(CompletableFuture<Object> done, Measuring work) {
    try {
      done.complete(work.run());
    } catch (Exception e) {
      done.completeExceptionally(e);
    }
  }
}
