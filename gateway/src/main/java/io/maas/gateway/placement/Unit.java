package io.maas.gateway.placement;

/** One model version: what placement puts on workers. */
public record Unit(String model, String version) implements Comparable<Unit> {
  @Override
  public int compareTo(Unit o) {
    int c = model.compareTo(o.model);
    return c != 0 ? c : Long.compare(Long.parseLong(version), Long.parseLong(o.version));
  }

  @Override
  public String toString() {
    return model + "/" + version;
  }

  /** Parses {@link #toString()}. */
  public static Unit parse(String s) {
    int slash = s.lastIndexOf('/');
    return new Unit(s.substring(0, slash), s.substring(slash + 1));
  }
}
