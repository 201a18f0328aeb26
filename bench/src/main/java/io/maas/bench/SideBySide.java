package io.maas.bench;

import io.maas.bench.load.InferPayload;
import io.maas.bench.load.LoadGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deployment with API keys on and its twin with keys off, both running, loaded one at a time. A point
 * both need runs in turns ({@link #turns}): {@link #ROUNDS} rounds, the order flipped every round (on,
 * off, off, on), each turn a short warm-up then an equal share of the point's measured time; each side's
 * turns add up to its point. Load drifting on a shared machine then weighs on both sides alike, where one
 * side measured after the other would carry all of it.
 */
final class SideBySide implements AutoCloseable {
  static final int ROUNDS = 2;

  private final Map<Auth, Runner> runners = new EnumMap<>(Auth.class);
  private final Duration turnWarmUp;
  private final Duration turnMeasure;

  SideBySide(LoadGenerator generator, Deployment on, Deployment off, RunInfo info) {
    if (on.auth() != Auth.ON || off.auth() != Auth.OFF || !on.name().equals(off.name())) {
      throw new IllegalArgumentException("not twins: " + on.name() + " auth " + on.auth().label + ", " + off.name()
          + " auth " + off.auth().label);
    }
    runners.put(Auth.ON, new Runner(generator, on, info.warmUp(), info.measure()));
    runners.put(Auth.OFF, new Runner(generator, off, info.warmUp(), info.measure()));
    this.turnWarmUp = info.turnWarmUp();
    this.turnMeasure = info.measure().dividedBy(ROUNDS);
  }

  /** The deployments' name, the same for both sides. */
  String name() {
    return on().deployment().name();
  }

  /** The runner for the default configuration (keys on): the points measured on one side only. */
  Runner on() {
    return runners.get(Auth.ON);
  }

  Runner off() {
    return runners.get(Auth.OFF);
  }

  /** The order of the turns: on, off, then off, on, and so on for every further pair of rounds. */
  static List<Auth> turns(int rounds) {
    List<Auth> order = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      order.addAll(round % 2 == 0 ? List.of(Auth.ON, Auth.OFF) : List.of(Auth.OFF, Auth.ON));
    }
    return order;
  }

  /** The same closed loop with keys on and off, measured in turns; gives the on point, then the off point. */
  List<Point> closed(String model, String batching, Protocol protocol, InferPayload payload, int concurrency) {
    String load = "closed c=" + concurrency;
    List<Auth> order = turns(ROUNDS);
    System.out.printf("  %s | %s | %s | batching %s | %s | auth in turns %s, %d × (%d ms + %d ms)%n", name(), model,
        protocol.label, batching, load, order.stream().map(a -> a.label).toList(), order.size(),
        turnWarmUp.toMillis(), turnMeasure.toMillis());
    Map<Auth, Measurement> sums = new EnumMap<>(Auth.class);
    StringBuilder each = new StringBuilder("    turns:");
    for (Auth auth : order) {
      Measurement m = runners.get(auth).closedWindow(model, protocol, payload, concurrency, turnWarmUp, turnMeasure);
      sums.merge(auth, m, Measurement::plus);
      each.append(String.format(Locale.ROOT, " %s %.1f req/s p50 %.3f ms;", auth.label,
          m.result().requestsPerSecond(), m.result().millis(50)));
    }
    System.out.println(each);
    return List.of(on().point(model, batching, protocol, load, sums.get(Auth.ON)),
        off().point(model, batching, protocol, load, sums.get(Auth.OFF)));
  }

  @Override
  public void close() {
    runners.values().forEach(Runner::close);
  }
}
