package io.maas.bench;

import io.maas.bench.load.InferPayload;
import io.maas.bench.load.LoadGenerator;
import io.maas.bench.load.LoadResult;
import io.maas.bench.load.Transport;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs one measured load against a deployment and reads the server's allocation around it: once when the
 * measured window opens (on a timer thread, off the generator's event loop) and once after the last
 * request answered.
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
   * Sends this model's request over every protocol for a while, counting nothing: the server's JIT, its
   * connections and the model's first runs warm up before the first measured point.
   */
  void warmUp(String model, InferPayload payload, int concurrency, Duration each) {
    System.out.printf("  %s | %s | warming up over every protocol%n", deployment.name(), model);
    for (Protocol protocol : Protocol.values()) {
      Transport t = protocol.transport(generator.vertx(), deployment, model, payload, concurrency);
      try {
        generator.closedLoop(t, concurrency, each, Duration.ZERO);
      } finally {
        t.close().await();
      }
    }
  }

  Point closed(String model, String batching, Protocol protocol, InferPayload payload, int concurrency) {
    Transport t = protocol.transport(generator.vertx(), deployment, model, payload, concurrency);
    return measured(model, batching, protocol, "closed c=" + concurrency,
        () -> generator.closedLoop(t, concurrency, warmUp, measure), t);
  }

  Point open(String model, String batching, Protocol protocol, InferPayload payload, double rate) {
    Transport t = protocol.transport(generator.vertx(), deployment, model, payload, 256);
    return measured(model, batching, protocol, String.format(java.util.Locale.ROOT, "open %.0f/s", rate),
        () -> generator.openLoop(t, rate, MAX_OUTSTANDING, warmUp, measure), t);
  }

  private Point measured(String model, String batching, Protocol protocol, String load, Supplier<LoadResult> run,
      Transport transport) {
    System.out.printf("  %s | %s | %s | batching %s | %s ... ", deployment.name(), model, protocol.label, batching,
        load);
    System.out.flush();
    CompletableFuture<OptionalLong> before = new CompletableFuture<>();
    CompletableFuture<long[]> cpuBefore = new CompletableFuture<>();
    timer.schedule(() -> {
      cpuBefore.complete(new long[] {deployment.probe().cpuNanos().orElse(-1), System.nanoTime()});
      before.complete(deployment.probe().allocatedBytes());
    }, warmUp.toMillis(), TimeUnit.MILLISECONDS);
    LoadResult r;
    long cpu0 = processCpuNanos();
    long wall0 = System.nanoTime();
    double generatorCpu;
    try {
      r = run.get();
      generatorCpu = (double) (processCpuNanos() - cpu0) / (System.nanoTime() - wall0);
    } finally {
      transport.close().await();
    }
    long[] cpuStart = cpuBefore.join();
    long cpuEnd = deployment.probe().cpuNanos().orElse(-1);
    double serverCpu = cpuStart[0] < 0 || cpuEnd < 0 ? Double.NaN
        : (double) (cpuEnd - cpuStart[0]) / (System.nanoTime() - cpuStart[1]);
    OptionalLong after = deployment.probe().allocatedBytes();
    OptionalLong start = before.join();
    double perRequest = start.isPresent() && after.isPresent() && r.completedSinceStart() > 0
        ? (double) (after.getAsLong() - start.getAsLong()) / r.completedSinceStart() : Double.NaN;
    System.out.printf("%.1f req/s, p50 %.3f ms, p99 %.3f ms, %d failed%s, server %.0f %%, generator %.0f %% of a "
        + "core%s%n", r.requestsPerSecond(), r.millis(50), r.millis(99), r.failures(),
        Double.isNaN(perRequest) ? "" : String.format(", %.0f B/req", perRequest), 100 * serverCpu, 100 * generatorCpu,
        r.firstFailures().isEmpty() ? "" : " (" + r.firstFailures().get(0) + ")");
    return new Point(deployment.name(), model, protocol, batching, load, r, perRequest,
        deployment.probe().sources(), generatorCpu, serverCpu);
  }

  /** CPU time of this JVM (the load generator, its event loop, GC, JIT), or 0 if the JVM cannot say. */
  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? Math.max(0, os.getProcessCpuTime()) : 0;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
