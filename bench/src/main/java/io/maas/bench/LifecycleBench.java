package io.maas.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The model lifecycle of issue 12, measured on MiniLM ({@code java -jar bench/target/maas-bench.jar lifecycle}):
 * one worker process and one gateway process (the real fat jar, API keys off), the model loaded and unloaded
 * through the repository API.
 *
 * <ol>
 *   <li>(a) {@code bench.cycles} (50) load / one request / unload cycles of MiniLM with its warmup: the worker's
 *       RSS once the first and the last unload answered (goal: the last ≤ 1.10 × the first), its Java heap, and
 *       (unless {@code -Dbench.nmt=false}) its native memory tracking summary after the first and the last;
 *   <li>(b) {@code bench.loads} (10) rounds loading MiniLM with warmup and without, one after the other in the
 *       same worker (the order alternating): the first request after each load, and the second;
 *   <li>(c) {@code bench.fresh} (5) rounds of a new worker process for each model (with warmup, without): the
 *       model loaded, two requests, the worker stopped: the first request after a load in a new worker.
 * </ol>
 * Part (a) runs first, so that part (b) compares ONNX Runtime sessions, not a JVM that has not compiled the
 * request path yet; part (c) is that JVM's side. Writes {@code bench/results/lifecycle.md} and {@code .csv}; logs go to
 * {@code bench/target/lifecycle/}.
 */
public final class LifecycleBench {
  static final String COLD = "minilm";
  static final String WARM = "minilm_warm";
  static final String SLOT = "{\"device\":\"cpu\"}";
  /** Not one of the warmup's texts, nor of their lengths: what a first client would send. */
  static final String TEXT = "The quick brown fox jumps over the lazy dog by the river.";
  static final String WARMUP = """
      model_warmup:
        - name: sentences
          inputs:
            text:
              texts:
                - "A man is eating food."
                - "A longer sentence, as a search query or a short passage would be, so that more than one length runs."
      """;
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration READY = Duration.ofSeconds(60);
  /** The worker of parts (a) and (b) runs with native memory tracking (summary): where its memory is. */
  private static final boolean NMT = Boolean.parseBoolean(System.getProperty("bench.nmt", "true"));
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private final URI gateway;
  private final long pid;
  private final Path statusFile;
  private final URI workerMetrics;
  /** The worker's Java heap reservation, {start, end} addresses, once read. */
  private long[] heapRange;

  private LifecycleBench(URI gateway, long workerPid, int workerMetricsPort) {
    this.gateway = gateway;
    this.pid = workerPid;
    this.statusFile = Path.of("/proc", Long.toString(workerPid), "status");
    this.workerMetrics = URI.create("http://127.0.0.1:" + workerMetricsPort + "/metrics");
  }

  public static void main(String[] args) throws Exception {
    int cycles = Integer.getInteger("bench.cycles", 50);
    int loads = Integer.getInteger("bench.loads", 10);
    int fresh = Integer.getInteger("bench.fresh", 5);
    long t0 = System.nanoTime();
    Path root = Path.of(System.getProperty("maas.root", ".")).toAbsolutePath().normalize();
    RunInfo info = RunInfo.create(root, false, "java -jar bench/target/maas-bench.jar lifecycle");
    Path jar = root.resolve("gateway/target/maas-gateway.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -q -pl bench -am package -DskipTests` first");
    }
    Path work = root.resolve("bench/target/lifecycle");
    Path repository = work.resolve("models");
    BenchRepository.deleteTree(repository);
    BenchRepository.minilm(root, repository.resolve(COLD), BenchRepository.BATCHING + BenchRepository.TEXT);
    BenchRepository.minilm(root, repository.resolve(WARM), BenchRepository.BATCHING + BenchRepository.TEXT + WARMUP);

    List<LifecycleReport.Cycle> measuredCycles = new ArrayList<>();
    List<LifecycleReport.Load> measuredLoads = new ArrayList<>();
    List<LifecycleReport.Nmt> nmt = new ArrayList<>();
    List<String> javaOptions = NMT ? List.of("-XX:NativeMemoryTracking=summary") : List.of();
    try (MaasProcesses cluster = new MaasProcesses(jar, work.resolve("logs"))) {
      MaasProcesses.Gateway g = cluster.launchGateway("gateway", Auth.OFF);
      Path log = cluster.startWorker("worker", javaOptions, repository, SLOT, 1000, "worker.load_model=[]");
      cluster.awaitLive(g.httpPort(), START);
      cluster.awaitWorkerId(log, START);
      URI gateway = URI.create("http://127.0.0.1:" + g.httpPort());
      LifecycleBench bench = new LifecycleBench(gateway, cluster.pid("worker"), cluster.adminPort("worker"));
      bench.await("/v2/health/ready", true, START); // the gateway routes to the worker: the load API reaches it
      System.out.printf("(a) %d load/unload cycles of %s (%s)%n", cycles, WARM, Bench.elapsed(t0));
      for (int n = 1; n <= cycles; n++) {
        LifecycleReport.Cycle c = print(bench.cycle(n));
        measuredCycles.add(c);
        if (NMT && (n == 1 || n == cycles)) {
          nmt.add(bench.nativeMemory(n, c.rssKb(), work.resolve("logs")));
        }
      }
      System.out.printf("(b) %d rounds: the first request after a load, with and without warmup (%s)%n", loads,
          Bench.elapsed(t0));
      for (int round = 1; round <= loads; round++) {
        for (boolean warm : order(round)) {
          measuredLoads.add(print(bench.load(warm, round)));
        }
      }
      cluster.stop("worker", START);
      System.out.printf("(c) %d rounds: the first request after a load in a new worker, with and without warmup "
          + "(%s)%n", fresh, Bench.elapsed(t0));
      for (int round = 1; round <= fresh; round++) {
        for (boolean warm : order(round)) {
          measuredLoads.add(print(freshWorker(cluster, gateway, repository, warm, round)));
        }
      }
    }
    String took = Bench.elapsed(t0);
    LifecycleReport.Settings settings = new LifecycleReport.Settings(cycles, loads, fresh, SLOT, TEXT, WARMUP);
    String md = LifecycleReport.markdown(settings, info.machine(), measuredCycles, measuredLoads, nmt, took);
    Path results = root.resolve("bench/results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("lifecycle.md"), md);
    Files.writeString(results.resolve("lifecycle.csv"), LifecycleReport.csv(measuredCycles, measuredLoads));
    System.out.println(md);
  }

  /** Without, with; with, without; ...: a drift of the machine's load weighs on both sides alike. */
  private static boolean[] order(int round) {
    return round % 2 == 1 ? new boolean[] {false, true} : new boolean[] {true, false};
  }

  /**
   * A new worker process: once the gateway routes to it, the model loaded through the repository API, its first
   * and second request, the model unloaded (the cluster's wanted state stays empty: a new worker would load
   * what the cluster wants at start), the worker stopped, and the gateway seen to route to no worker.
   */
  private static LifecycleReport.Load freshWorker(MaasProcesses cluster, URI gateway, Path repository, boolean warm,
      int round) throws Exception {
    String model = warm ? WARM : COLD;
    String name = "new-" + round + "-" + model;
    Path log = cluster.startWorker(name, repository, SLOT, 1000, "worker.load_model=[]");
    cluster.awaitWorkerId(log, START);
    LifecycleBench bench = new LifecycleBench(gateway, cluster.pid(name), cluster.adminPort(name));
    bench.await("/v2/health/ready", true, START);
    double load = bench.load(model);
    double first = bench.infer(model);
    double firstInWorker = bench.workerMs(model);
    double second = bench.infer(model);
    bench.unload(model);
    cluster.stop(name, START);
    bench.await("/v2/health/ready", false, START);
    return new LifecycleReport.Load(warm, true, round, load, first, firstInWorker, second);
  }

  /** Load, one request, unload; then the worker's memory. */
  private LifecycleReport.Cycle cycle(int n) throws Exception {
    double load = load(WARM);
    double first = infer(WARM);
    double unload = unload(WARM);
    double[] heap = heap();
    if (heapRange == null) {
      heapRange = MemoryProbe.heapRange(jcmd("GC.heap_info"));
    }
    String smaps = Files.readString(statusFile.resolveSibling("smaps"));
    return new LifecycleReport.Cycle(n, load, first, unload, rssKb(), MemoryProbe.rssWithin(smaps, heapRange),
        heap[0], heap[1]);
  }

  /** Runs {@code jcmd <worker pid> <command...>}; gives its output. */
  private String jcmd(String... command) throws Exception {
    Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
    List<String> line = new ArrayList<>(List.of(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd",
        Long.toString(pid)));
    line.addAll(List.of(command));
    Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", line) + " failed: " + out);
    }
    return out;
  }

  /** Load, two requests, unload. */
  private LifecycleReport.Load load(boolean warm, int round) throws Exception {
    String model = warm ? WARM : COLD;
    double load = load(model);
    double first = infer(model);
    double firstInWorker = workerMs(model);
    double second = infer(model);
    unload(model);
    return new LifecycleReport.Load(warm, false, round, load, first, firstInWorker, second);
  }

  /** Loads through the repository API, then waits until the gateway routes to the model; gives the load's ms. */
  private double load(String model) throws Exception {
    long start = System.nanoTime();
    post("/v2/repository/models/" + model + "/load");
    double ms = (System.nanoTime() - start) / 1e6;
    awaitReady(model, true, READY);
    return ms;
  }

  /** Polls the gateway until the model is ready (or, {@code ready} false, until it is not). */
  private void awaitReady(String model, boolean ready, Duration timeout) throws Exception {
    await("/v2/models/" + model + "/ready", ready, timeout);
  }

  /** Polls a readiness path of the gateway until it answers 200 (or, {@code ready} false, anything else). */
  private void await(String path, boolean ready, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest probe = HttpRequest.newBuilder(gateway.resolve(path)).build();
    while ((send(probe).statusCode() == 200) != ready) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(path + (ready ? " not 200" : " still 200") + " within " + timeout);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private double unload(String model) throws Exception {
    long start = System.nanoTime();
    post("/v2/repository/models/" + model + "/unload");
    return (System.nanoTime() - start) / 1e6;
  }

  /** One text request; its latency in ms. */
  private double infer(String model) throws Exception {
    String body = "{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"" + TEXT
        + "\"]}], \"outputs\": [{\"name\": \"embedding\"}]}";
    HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/v2/models/" + model + "/infer"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    long start = System.nanoTime();
    HttpResponse<String> r = send(request);
    double ms = (System.nanoTime() - start) / 1e6;
    if (r.statusCode() != 200 || !r.body().contains("\"embedding\"")) {
      throw new IllegalStateException("infer " + model + ": " + r.statusCode() + " " + r.body());
    }
    return ms;
  }

  /**
   * The time the worker spent on the requests of the model's version loaded last (from its arrival at the worker to
   * its answer: {@code inference_stats.success.ns} of the model's statistics, which start at each load): right after
   * the first request, that request's share of its latency.
   */
  private double workerMs(String model) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(gateway.resolve("/v2/models/" + model + "/stats")).build());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("stats of " + model + ": " + r.statusCode() + " " + r.body());
    }
    JsonObject stats = new JsonObject(r.body()).getJsonArray("model_stats").getJsonObject(0);
    return stats.getJsonObject("inference_stats").getJsonObject("success").getLong("ns") / 1e6;
  }

  private void post(String path) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(gateway.resolve(path))
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(120)).build());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
    }
  }

  private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The worker's resident set in kB ({@code VmRSS}). */
  private long rssKb() throws IOException {
    return Files.readAllLines(statusFile).stream().filter(l -> l.startsWith("VmRSS:"))
        .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst()
        .orElseThrow(() -> new IllegalStateException("no VmRSS in " + statusFile));
  }

  /** The worker's Java heap, used and committed (bytes), from its /metrics; NaN where not served. */
  private double[] heap() {
    try {
      String text = send(HttpRequest.newBuilder(workerMetrics).timeout(Duration.ofSeconds(10)).build()).body();
      return new double[] {heapSum(text, "jvm_memory_used_bytes"), heapSum(text, "jvm_memory_committed_bytes")};
    } catch (IOException | InterruptedException | RuntimeException e) {
      return new double[] {Double.NaN, Double.NaN};
    }
  }

  /** The worker's native memory tracking summary ({@code jcmd PID VM.native_memory summary}), kept in the logs too. */
  private LifecycleReport.Nmt nativeMemory(int cycle, long rssKb, Path logs) throws Exception {
    String out = jcmd("VM.native_memory", "summary");
    Files.writeString(logs.resolve("worker-nmt-cycle-" + cycle + ".txt"), out);
    return LifecycleReport.Nmt.parse(cycle, rssKb, out);
  }

  static double heapSum(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains("area=\"heap\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static <T> T print(T row) {
    System.out.println("  " + row);
    return row;
  }
}
