package io.maas.worker.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Measures what a model version takes as it loads on a real device slot: the process's resident set just before
 * and just after its sessions are created; its footprint is the growth, and at least the model file's size (a
 * resident set can shrink meanwhile, as the Java heap gives pages back, and a loaded model holds at least its
 * weights).
 *
 * <p>The resident set is the process's, so one meter serves all of the process's slots: it is made once where the
 * slots are deployed and handed to each, and loads take turns under its lock, so that one load's growth is not
 * counted as another's. Requests running meanwhile on other slots may still grow the resident set: a measurement
 * errs high, never low.
 */
public final class FootprintMeter {
  private final Supplier<OptionalLong> residentBytes;
  private final ReentrantLock lock = new ReentrantLock();

  /** What a load gave, and what it took: empty where the resident set could not be read. */
  public record Measured<T>(T value, OptionalLong footprintBytes) {}

  /** @param residentBytes the process's resident set now ({@link ResidentMemory#bytes()}); empty when unknown */
  public FootprintMeter(Supplier<OptionalLong> residentBytes) {
    this.residentBytes = residentBytes;
  }

  /** A meter of this process's resident set. */
  public static FootprintMeter ofProcess() {
    return new FootprintMeter(ResidentMemory.ofProcess()::bytes);
  }

  /**
   * Runs a load alone among the process's measured loads and measures it. Blocking: call it on a worker thread.
   *
   * @param modelFile the file the load reads (its size is the least footprint)
   * @param load creates the sessions
   * @throws Exception what the load throws (nothing is measured then)
   */
  public <T> Measured<T> measure(Path modelFile, Callable<T> load) throws Exception {
    lock.lock();
    try {
      OptionalLong before = residentBytes.get();
      T value = load.call();
      OptionalLong after = residentBytes.get();
      if (before.isEmpty() || after.isEmpty()) {
        return new Measured<>(value, OptionalLong.empty());
      }
      return new Measured<>(value, OptionalLong.of(Math.max(after.getAsLong() - before.getAsLong(), size(modelFile))));
    } finally {
      lock.unlock();
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
