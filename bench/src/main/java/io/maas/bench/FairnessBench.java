package io.maas.bench;

import io.maas.bench.FairLoad.Flow;
import io.maas.bench.FairLoad.FlowResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Issue 14's goals, "overload that stays fair", measured in one run ({@code java -jar bench/target/maas-bench.jar
 * fairness}, about 3 minutes): two standalone nodes with API keys on (the default), each its own cluster, one with a
 * {@code sim} slot and one with the {@code cpu} slot running MiniLM. Every key is made through the admin API with a
 * limit never reached, so that the rate limiter shapes nothing. On each model its capacity is measured first
 * (closed loop), and every offered rate derives from it.
 *
 * <ul>
 *   <li>sim ({@code sim_base_ms} {@value #SIM_BASE_MS}, {@code sim_per_item_ms} {@value #SIM_PER_ITEM_MS}, models of
 *       max_batch_size 8, one instance, 1-item requests): equal weights (A at 10 × capacity, B at 20 %), weights
 *       3:1 (both at 2 × capacity), priority 1 at 30 % during a priority 2 flood at 10 ×, a burst of
 *       {@value #BURST} requests on a model whose queue timeout is 50 ms.
 *   <li>cpu (MiniLM, max_batch_size 64): equal weights with requests of {@value #MINILM_TEXTS} texts, then
 *       {@value #DISCONNECTS} requests of 64 texts whose clients close after 5 ms (FIN, then RST).
 * </ul>
 * Writes {@code bench/results/fairness.md} and {@code .csv}; logs under {@code bench/target/fairness/}.
 */
public final class FairnessBench {
  static final long SIM_BASE_MS = 60;
  static final long SIM_PER_ITEM_MS = 2;
  static final int SIM_BATCH = 8;
  static final int BURST = 64;
  static final long QUEUE_TIMEOUT_MS = 50;
  static final int MINILM_TEXTS = 8;
  static final int DISCONNECTS = 200;
  static final int DISCONNECT_TEXTS = 64;
  static final long DISCONNECT_AFTER_MS = 5;
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration WARM = Duration.ofSeconds(1);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static final String SIMPLE_IO = """
      input:
        - {name: INPUT0, data_type: TYPE_INT32, dims: [16]}
        - {name: INPUT1, data_type: TYPE_INT32, dims: [16]}
      output:
        - {name: OUTPUT0, data_type: TYPE_INT32, dims: [16]}
        - {name: OUTPUT1, data_type: TYPE_INT32, dims: [16]}
      instance_group: [{count: 1, kind: KIND_CPU}]
      max_batch_size: 8
      """;
  static final String FAIR_SIM = SIMPLE_IO + """
      dynamic_batching:
        max_queue_delay_microseconds: 0
        default_queue_policy: {max_queue_size: 64}
      """;
  static final String PRIO_SIM = SIMPLE_IO + """
      dynamic_batching:
        max_queue_delay_microseconds: 0
        priority_levels: 2
        default_priority_level: 2
        default_queue_policy: {max_queue_size: 64}
      """;
  static final String TIMEOUT_SIM = SIMPLE_IO + """
      dynamic_batching:
        max_queue_delay_microseconds: 0
        default_queue_policy: {timeout_action: REJECT, default_timeout_microseconds: 50000, max_queue_size: 256}
      """;
  static final String MINILM = """
      max_batch_size: 64
      dynamic_batching:
        max_queue_delay_microseconds: 0
        default_queue_policy: {max_queue_size: 256}
      """ + BenchRepository.TEXT;

  private FairnessBench() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("maas.root", ".")).toAbsolutePath().normalize();
    Path jar = root.resolve("gateway/target/maas-gateway.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -q -pl bench -am package -DskipTests` first");
    }
    long t0 = System.nanoTime();
    Path work = root.resolve("bench/target/fairness");
    BenchRepository.deleteTree(work);
    Path simRepo = work.resolve("models-sim");
    for (String[] m : List.of(new String[] {"fair_sim", FAIR_SIM}, new String[] {"prio_sim", PRIO_SIM},
        new String[] {"timeout_sim", TIMEOUT_SIM})) {
      BenchRepository.copyTree(root.resolve("conf/models/simple"), simRepo.resolve(m[0]));
      Files.writeString(simRepo.resolve(m[0]).resolve("config.yaml"), m[1]);
    }
    Path cpuRepo = work.resolve("models-cpu");
    BenchRepository.minilm(root, cpuRepo.resolve("minilm_fair"), MINILM);

    FreePorts ports = new FreePorts();
    List<FairnessReport.Share> shares = new ArrayList<>();
    List<FairnessReport.Disconnect> disconnects = new ArrayList<>();
    FairnessReport.Weights weights;
    FairnessReport.Priority priority;
    FairnessReport.Timeout timeout;
    try (MaasProcesses sim = new MaasProcesses(jar, work.resolve("logs-sim"), ports);
        MaasProcesses cpu = new MaasProcesses(jar, work.resolve("logs-cpu"), ports)) {
      MaasProcesses.Gateway simNode = sim.launchStandalone("node-sim", simRepo, Auth.ON, "worker.slots=[{\"device\":"
          + "\"sim\",\"sim_base_ms\":" + SIM_BASE_MS + ",\"sim_per_item_ms\":" + SIM_PER_ITEM_MS + "}]");
      MaasProcesses.Gateway cpuNode = cpu.launchStandalone("node-cpu", cpuRepo, Auth.ON,
          "worker.slots=[{\"device\":\"cpu\"}]");
      Node s = Node.ready(sim, simNode, List.of("fair_sim", "prio_sim", "timeout_sim"));
      System.out.printf("sim node ready (%s)%n", Bench.elapsed(t0));
      try (FairLoad load = new FairLoad(simNode.httpPort())) {
        String one = Payloads.simple().json().toString();
        shares.add(share("sim", s, load, "fair_sim", one, 32));
        weights = weights(s, load, one);
        priority = priority(s, load, one);
        timeout = timeout(s, load, one);
      }
      sim.close();
      Node c = Node.ready(cpu, cpuNode, List.of("minilm_fair"));
      System.out.printf("cpu node ready (%s)%n", Bench.elapsed(t0));
      try (FairLoad load = new FairLoad(cpuNode.httpPort())) {
        shares.add(share("cpu (MiniLM)", c, load, "minilm_fair", texts(MINILM_TEXTS), 16));
        for (Disconnects.Close how : Disconnects.Close.values()) {
          disconnects.add(disconnect(cpu, cpuNode, c, how));
        }
      }
    }
    String settings = String.format(Locale.ROOT, "Two standalone nodes on 127.0.0.1 with API keys on (the default), "
            + "every key made through the admin API with a limit never reached (1,000,000/s, burst 10,000,000). "
            + "**sim**: one `sim` slot, a batch holds the model's one instance %d ms + %d ms per item; models of "
            + "max_batch_size %d, `max_queue_delay_microseconds: 0`, queue 64 (the timeout model 256); 1-item "
            + "requests of Triton's `simple`. **cpu (MiniLM)**: the cpu slot (ONNX Runtime, 2 intra-op threads) "
            + "running all-MiniLM-L6-v2 with max_batch_size 64, queue 256; requests of %d short texts. Each model's "
            + "capacity is measured first in the run (closed loop) and every rate derives from it. Open-loop flows "
            + "send at fixed rates (latency from each request's intended start), %d s warm-up not counted, then a "
            + "window whose requests are all counted once answered. **busy**: the model's execution time over the "
            + "flood's window, from its statistics (`batch_stats`' compute_input + compute_infer + compute_output "
            + "ns, summed, per instance), read at the window's start and end. Disconnects: %d raw sockets each "
            + "write a whole HTTP/1.1 request of %d texts and close %d ms after their write; executed texts are the "
            + "version's `inference_count` delta once it stopped moving; ERROR lines are counted in the node's log "
            + "written over the window. The run took %s.",
        SIM_BASE_MS, SIM_PER_ITEM_MS, SIM_BATCH, MINILM_TEXTS, WARM.toSeconds(), DISCONNECTS, DISCONNECT_TEXTS,
        DISCONNECT_AFTER_MS, Bench.elapsed(t0));
    FairnessReport.Run run = new FairnessReport.Run(settings, shares, weights, priority, disconnects, timeout);
    String md = FairnessReport.markdown(run);
    Path results = root.resolve("bench/results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("fairness.md"), md);
    Files.writeString(results.resolve("fairness.csv"), FairnessReport.csv(run));
    System.out.println(md);
  }

  /** A node that is ready, its keys made: one per role, and the bench's own for statistics. */
  private record Node(MaasProcesses processes, MaasProcesses.Gateway gateway, String bench) {
    static Node ready(MaasProcesses p, MaasProcesses.Gateway g, List<String> models) {
      Deployment d = Deployment.ready("fairness", Auth.ON, p, List.of(g), List.of(), models, START);
      d.close();
      return new Node(p, g, d.target().apiKey().orElseThrow());
    }

    String key(String name, double weight) {
      return BenchApiKey.create(gateway.adminPort(), processes.adminToken(), String.format(Locale.ROOT,
          "{\"name\": \"%s\", \"owner\": \"bench\", \"rate_per_second\": 1000000, \"burst\": 10000000, "
              + "\"weight\": %s}", name, weight), START);
    }
  }

  private static String path(String model) {
    return "/v2/models/" + model + "/infer";
  }

  private static Flow flow(String name, String key, String model, String body) {
    return new Flow(name, key, path(model), body, 1);
  }

  private static FlowResult capacity(FairLoad load, Flow f, int concurrency, Duration measure) {
    FlowResult r = load.closedLoop(f, concurrency, Duration.ofSeconds(2), measure);
    System.out.printf("  capacity of %s: %.1f requests/s (closed loop, %d in flight)%n", f.path(), r.okPerSecond(),
        concurrency);
    return r;
  }

  private static FairnessReport.Share share(String workers, Node n, FairLoad load, String model, String body,
      int concurrency) throws Exception {
    Flow a = flow("A", n.key("a-" + model, 1), model, body);
    Flow b = flow("B", n.key("b-" + model, 1), model, body);
    FlowResult capacity = capacity(load, flow("capacity", n.bench(), model, body), concurrency, Duration.ofSeconds(4));
    double c = capacity.okPerSecond();
    FlowResult alone = load.openLoop(List.of(b.at(0.2 * c)), WARM, Duration.ofSeconds(5)).get(0);
    Duration window = Duration.ofSeconds(7);
    CompletableFuture<ModelStats> first = statsAt(n, model, WARM);
    CompletableFuture<ModelStats> last = statsAt(n, model, WARM.plus(window));
    List<FlowResult> both = load.openLoop(List.of(a.at(10 * c), b.at(0.2 * c)), WARM, window);
    double busy = (last.get().busyNanos() - first.get().busyNanos()) / (double) window.toNanos();
    FairnessReport.Share s = new FairnessReport.Share(workers, capacity, alone, both.get(0), both.get(1), busy);
    System.out.printf("  %s: B alone p99 %.1f ms; with A: B %d/%d ok, p99 %.1f ms; A %.1f/s ok; busy %.3f%n", workers,
        alone.ms(99), s.b().ok(), s.b().sent(), s.b().ms(99), s.a().okPerSecond(), busy);
    return s;
  }

  private static FairnessReport.Weights weights(Node n, FairLoad load, String body) {
    String model = "fair_sim";
    FlowResult capacity = capacity(load, flow("capacity", n.bench(), model, body), 32, Duration.ofSeconds(3));
    double c = capacity.okPerSecond();
    Flow heavy = flow("weight 3", n.key("weight-3", 3), model, body).at(2 * c);
    Flow light = flow("weight 1", n.key("weight-1", 1), model, body).at(2 * c);
    List<FlowResult> r = load.openLoop(List.of(heavy, light), WARM, Duration.ofSeconds(7));
    System.out.printf("  weights 3:1: %d / %d served%n", r.get(0).ok(), r.get(1).ok());
    return new FairnessReport.Weights("sim", capacity, r.get(0), r.get(1));
  }

  private static FairnessReport.Priority priority(Node n, FairLoad load, String body) {
    String model = "prio_sim";
    String p1Body = new JsonObject(body).put("parameters", new JsonObject().put("priority", 1)).encode();
    String p2Body = new JsonObject(body).put("parameters", new JsonObject().put("priority", 2)).encode();
    FlowResult capacity = capacity(load, flow("capacity", n.bench(), model, p2Body), 32, Duration.ofSeconds(3));
    double c = capacity.okPerSecond();
    Flow p1 = flow("priority 1", n.key("priority-1", 1), model, p1Body).at(0.3 * c);
    Flow flood = flow("priority 2 flood", n.key("priority-2", 1), model, p2Body).at(10 * c);
    FlowResult alone = load.openLoop(List.of(p1), WARM, Duration.ofSeconds(5)).get(0);
    List<FlowResult> r = load.openLoop(List.of(flood, p1), WARM, Duration.ofSeconds(7));
    System.out.printf("  priority 1: p99 alone %.1f ms, during the flood %.1f ms (%d/%d ok)%n", alone.ms(99),
        r.get(1).ms(99), r.get(1).ok(), r.get(1).sent());
    return new FairnessReport.Priority("sim", capacity, alone, r.get(1), r.get(0));
  }

  private static FairnessReport.Timeout timeout(Node n, FairLoad load, String body) throws Exception {
    String model = "timeout_sim";
    Flow f = flow("burst", n.key("burst", 1), model, body);
    ModelStats before = stats(n, model);
    FlowResult r = load.burst(f, BURST);
    ModelStats after = settled(n, model);
    System.out.printf("  timeout burst: %d ok, %d expired, latest answer %.1f ms%n", r.ok(), r.expired(),
        r.maxAnswerMs());
    return new FairnessReport.Timeout("sim", QUEUE_TIMEOUT_MS, SIM_BASE_MS + SIM_PER_ITEM_MS * SIM_BATCH, r,
        after.inferenceCount() - before.inferenceCount(), after.executionCount() - before.executionCount(),
        before.timedOut() < 0 ? -1 : after.timedOut() - before.timedOut());
  }

  private static FairnessReport.Disconnect disconnect(MaasProcesses processes, MaasProcesses.Gateway g, Node n,
      Disconnects.Close how) throws Exception {
    String model = "minilm_fair";
    byte[] request = Disconnects.request(path(model), n.key("gone-" + how.name().toLowerCase(Locale.ROOT), 1),
        texts(DISCONNECT_TEXTS));
    Path log = processes.log(g.name());
    long logFrom = Files.size(log);
    ModelStats before = settled(n, model);
    Map<String, Long> outcomesBefore = gatewayOutcomes(g.adminPort(), model);
    int written = Disconnects.run(g.httpPort(), request, DISCONNECTS, DISCONNECT_AFTER_MS, how);
    ModelStats after = settled(n, model);
    Map<String, Long> outcomes = new TreeMap<>(gatewayOutcomes(g.adminPort(), model));
    outcomes.replaceAll((code, count) -> count - outcomesBefore.getOrDefault(code, 0L));
    outcomes.values().removeIf(count -> count == 0);
    // requests the gateway took whole: cancelled, or answered (a request cut short by a reset is the client's 400)
    long reached = outcomes.getOrDefault("CANCELLED", 0L) + outcomes.getOrDefault("OK", 0L);
    List<String> errors = errorLines(log, logFrom);
    FairnessReport.Disconnect d = new FairnessReport.Disconnect(how, DISCONNECTS, written, DISCONNECT_TEXTS,
        DISCONNECT_AFTER_MS, after.inferenceCount() - before.inferenceCount(),
        before.cancelled() < 0 ? -1 : after.cancelled() - before.cancelled(), errors.size(),
        errors.isEmpty() ? "" : errors.get(0), reached, outcomes.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
    System.out.printf("  disconnects, %s: %d texts executed of %d, %d cancelled, %d ERROR lines%n", how.label,
        d.executedItems(), d.askedItems(), d.cancelled(), d.errorLines());
    return d;
  }

  /**
   * The requests the gateway ended for the model so far, by outcome code ({@code maas_gateway_requests_total}): proof
   * that disconnected clients' requests reached its pipeline (and how they ended), not only that nothing ran.
   */
  static Map<String, Long> gatewayOutcomes(int adminPort, String model) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, Long> counts = new TreeMap<>();
    Pattern line = Pattern.compile("^maas_gateway_requests_total\\{(.*)\\} ([0-9.Ee+]+)$");
    Pattern code = Pattern.compile("code=\"([^\"]+)\"");
    for (String l : r.body().split("\n")) {
      Matcher m = line.matcher(l);
      if (m.matches() && m.group(1).contains("model=\"" + model + "\"")) {
        Matcher c = code.matcher(m.group(1));
        if (c.find()) {
          counts.merge(c.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
        }
      }
    }
    return counts;
  }

  /** The ERROR lines the log got from this byte offset on. */
  static List<String> errorLines(Path log, long from) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      f.seek(from);
      byte[] rest = new byte[(int) (f.length() - from)];
      f.readFully(rest);
      return new String(rest, StandardCharsets.UTF_8).lines().filter(l -> l.matches("^\\S+ ERROR .*")).toList();
    }
  }

  /** A request of {@code n} short, distinct texts for MiniLM's {@code text} input; the pooled embedding only. */
  static String texts(int n) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < n; i++) {
      data.add("sentence number " + i + " about a quiet afternoon in the park");
    }
    return new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "text")
            .put("shape", new JsonArray().add(n)).put("datatype", "BYTES").put("data", data)))
        .put("outputs", new JsonArray().add(new JsonObject().put("name", "embedding"))).encode();
  }

  /**
   * One model version's statistics.
   *
   * @param busyNanos its executions' time ({@code batch_stats}: compute input + infer + output), per instance
   * @param cancelled {@code queue_outcomes.cancelled}; -1 when not reported (and so the other outcomes)
   */
  record ModelStats(long inferenceCount, long executionCount, long busyNanos, long cancelled, long timedOut,
      long pushedOut) {
    static ModelStats of(JsonObject body) {
      JsonObject s = body.getJsonArray("model_stats").getJsonObject(0);
      long busy = 0;
      for (Object o : s.getJsonArray("batch_stats", new JsonArray())) {
        JsonObject b = (JsonObject) o;
        for (String part : List.of("compute_input", "compute_infer", "compute_output")) {
          busy += b.getJsonObject(part, new JsonObject()).getLong("ns", 0L);
        }
      }
      JsonObject q = s.getJsonObject("queue_outcomes");
      return new ModelStats(s.getLong("inference_count", 0L), s.getLong("execution_count", 0L), busy,
          q == null ? -1 : q.getLong("cancelled", 0L), q == null ? -1 : q.getLong("timed_out", 0L),
          q == null ? -1 : q.getLong("pushed_out", 0L));
    }
  }

  static ModelStats stats(Node n, String model) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + n.gateway().httpPort() + "/v2/models/" + model + "/stats")).header("Authorization", "Bearer " + n.bench())
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("stats of " + model + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return ModelStats.of(new JsonObject(r.body()));
  }

  /** The statistics read this long from now (a measurement's window edge, not synchronisation). */
  private static CompletableFuture<ModelStats> statsAt(Node n, String model, Duration after) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return stats(n, model);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }, CompletableFuture.delayedExecutor(after.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** The statistics once they stopped moving: the same counts over 1 s (bounded by 60 s). */
  static ModelStats settled(Node n, String model) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    ModelStats last = stats(n, model);
    while (System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      ModelStats now = stats(n, model);
      if (now.equals(last)) {
        return now;
      }
      last = now;
    }
    throw new IllegalStateException(model + "'s statistics still moving after 60 s");
  }
}
