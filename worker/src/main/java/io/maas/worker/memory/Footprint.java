package io.maas.worker.memory;

/**
 * What one model version takes, or is expected to take, on one device slot.
 *
 * @param bytes the memory it takes
 * @param measured whether {@code bytes} was measured on the slot as the version loaded there (false: an estimate)
 */
public record Footprint(long bytes, boolean measured) {

  public Footprint {
    if (bytes < 0) {
      throw new IllegalArgumentException("a footprint cannot be negative: " + bytes);
    }
  }

  public static Footprint measured(long bytes) {
    return new Footprint(bytes, true);
  }

  public static Footprint estimated(long bytes) {
    return new Footprint(bytes, false);
  }
}
