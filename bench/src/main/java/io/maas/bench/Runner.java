package io.maas.bench;

import io.maas.bench.load.InferPayload;
import io.maas.bench.load.LoadGenerator;
import io.maas.bench.load.LoadResult;
import io.maas.bench.load.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs measured loads against one deployment and reads the server's allocation and CPU around each: once
 * when the measured window opens (on a timer thread, off the generator's event loop) and once after the
 * last request answered.
 */
final class Runner implements AutoCloseable {
  /** Open-loop loads stop sending beyond this many requests in flight (and count them as failed). */
  static final int MAX_OUTSTANDING = 1024;

  private final LoadGenerator generator;
  private final Deployment deployment;
  private final Duration warmUp;
  private final Duration measure;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-allocation-probe");
    t.setDaemon(true);
    return t;
  });

  Runner(LoadGenerator generator, Deployment deployment, Duration warmUp, Duration measure) {
    this.generator = generator;
    this.deployment = deployment;
    this.warmUp = warmUp;
    this.measure = measure;
  }

  Deployment deployment() {
    return deployment;
  }

  /**
   * Sends this model's request over these protocols for a while, counting nothing: the server's JIT, its
   * connections and the model's first runs warm up before the first measured point.
   */
  void warmUp(String model, InferPayload payload, int concurrency, Duration each, List<Protocol> protocols) {
    System.out.printf("  %s, auth %s | %s | warming up over %s%n", deployment.name(), deployment.auth().label, model,
        protocols.stream().map(p -> p.label).toList());
    for (Protocol protocol : protocols) {
      Transport t = protocol.transport(generator.vertx(), deployment, model, payload, concurrency);
      try {
        generator.closedLoop(t, concurrency, each, Duration.ZERO);
      } finally {
        t.close().await();
      }
    }
  }

  /** One point: a closed loop, warmed up, then measured in one window. */
  Point closed(String model, String batching, Protocol protocol, InferPayload payload, int concurrency) {
    String load = "closed c=" + concurrency;
    announce(model, protocol, batching, load);
    return point(model, batching, protocol, load, closedWindow(model, protocol, payload, concurrency, warmUp,
        measure));
  }

  /** One point: an open loop at this rate, warmed up, then measured in one window. */
  Point open(String model, String batching, Protocol protocol, InferPayload payload, double rate) {
    String load = String.format(Locale.ROOT, "open %.0f/s", rate);
    announce(model, protocol, batching, load);
    Transport t = protocol.transport(generator.vertx(), deployment, model, payload, 256);
    return point(model, batching, protocol, load,
        window(() -> generator.openLoop(t, rate, MAX_OUTSTANDING, warmUp, measure), t, warmUp));
  }

  /** A closed loop measured in one window of these durations: one turn of a point measured in turns. */
  Measurement closedWindow(String model, Protocol protocol, InferPayload payload, int concurrency, Duration warm,
      Duration measured) {
    Transport t = protocol.transport(generator.vertx(), deployment, model, payload, concurrency);
    return window(() -> generator.closedLoop(t, concurrency, warm, measured), t, warm);
  }

  /** The point these windows make up; prints it. */
  Point point(String model, String batching, Protocol protocol, String load, Measurement m) {
    LoadResult r = m.result();
    System.out.printf("    auth %s: %.1f req/s, p50 %.3f ms, p99 %.3f ms, %d failed%s, server %.0f %%, generator "
            + "%.0f %% of a core%s%n", deployment.auth().label, r.requestsPerSecond(), r.millis(50), r.millis(99),
        r.failures(), Double.isNaN(m.allocatedBytesPerRequest()) ? ""
            : String.format(Locale.ROOT, ", %.0f B/req", m.allocatedBytesPerRequest()),
        100 * m.serverCpu(), 100 * m.generatorCpu(),
        r.firstFailures().isEmpty() ? "" : " (" + r.firstFailures().get(0) + ")");
    return new Point(deployment.name(), deployment.auth(), model, protocol, batching, load, r,
        m.allocatedBytesPerRequest(), deployment.probe().sources(), m.generatorCpu(), m.serverCpu());
  }

  private void announce(String model, Protocol protocol, String batching, String load) {
    System.out.printf("  %s | %s | %s | batching %s | %s%n", deployment.name(), model, protocol.label, batching,
        load);
  }

  private Measurement window(Supplier<LoadResult> run, Transport transport, Duration warm) {
    CompletableFuture<OptionalLong> before = new CompletableFuture<>();
    CompletableFuture<long[]> cpuBefore = new CompletableFuture<>();
    timer.schedule(() -> {
      cpuBefore.complete(new long[] {deployment.probe().cpuNanos().orElse(-1), System.nanoTime()});
      before.complete(deployment.probe().allocatedBytes());
    }, warm.toMillis(), TimeUnit.MILLISECONDS);
    LoadResult r;
    long cpu0 = processCpuNanos();
    long wall0 = System.nanoTime();
    long generatorCpu;
    long generatorWall;
    try {
      r = run.get();
      generatorCpu = processCpuNanos() - cpu0;
      generatorWall = System.nanoTime() - wall0;
    } finally {
      transport.close().await();
    }
    long[] cpuStart = cpuBefore.join();
    long cpuEnd = deployment.probe().cpuNanos().orElse(-1);
    double serverCpu = cpuStart[0] < 0 || cpuEnd < 0 ? Double.NaN : cpuEnd - cpuStart[0];
    double serverWindow = System.nanoTime() - cpuStart[1];
    OptionalLong after = deployment.probe().allocatedBytes();
    OptionalLong start = before.join();
    double allocated = start.isPresent() && after.isPresent() ? after.getAsLong() - start.getAsLong() : Double.NaN;
    return new Measurement(r, allocated, serverCpu, serverWindow, generatorCpu, generatorWall);
  }

  /** CPU time of this JVM (the load generator, its event loop, GC, JIT), or 0 if the JVM cannot say. */
  static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? Math.max(0, os.getProcessCpuTime()) : 0;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
