package io.maas.bench;

import io.maas.bench.TlsReport.Side;
import io.maas.bench.load.InferPayload;
import io.maas.bench.load.LoadGenerator;
import io.maas.bench.load.LoadResult;
import io.maas.bench.load.Transport;
import io.maas.bench.report.Goal;
import io.maas.tls.TestCertificates;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 15's "TLS cost" goal measured in one run ({@code java -jar bench/target/maas-bench.jar tls}, about 3.5
 * minutes; {@code --quick}: about 1.5): two standalone nodes started as users run them, API keys on (the default),
 * the same repository and settings, each its own cluster, one plaintext and one with {@code gateway.tls.cert_file}
 * and {@code key_file} (a test CA's certificate, {@link TestCertificates}). Four pairs, each a closed loop of
 * {@value #CONCURRENCY} over reused connections: {@code simple} and MiniLM (as minilm-16: {@code minilm_batched},
 * 16 token ids, the pooled embedding) over REST JSON (HTTP/1.1 keep-alive, one connection per request in flight)
 * and over gRPC (one HTTP/2 connection). Each node first gets a number of unmeasured requests per pair (JIT, the
 * model's first runs); then rounds, each of which runs every pair on both nodes one after the other, plaintext
 * first in every other round and TLS first in the others. A turn opens new connections, loads them for a short warm-up (the TLS
 * handshakes happen there), then measures a window on the same connections, counting connections opened in it.
 *
 * <p>Writes {@code bench/results/tls.md} and {@code .csv}; logs under {@code bench/target/tls/}. Settings by system
 * properties: {@code -Dbench.rounds=12 -Dbench.turn_ms=1000}. {@code -Dbench.profiler=<libasyncProfiler.so>}: after
 * the rounds, one more turn per pair and side, not counted, under async-profiler (attached with {@code jcmd
 * <pid> JVMTI.agent_load}, CPU samples) writing {@code bench/target/tls/profile-<side>-<pair>.collapsed} and
 * {@code .html}.
 */
public final class TlsBench {
  static final int CONCURRENCY = 32;
  static final int TOKENS = 16;
  private static final Duration START = Duration.ofSeconds(180);

  private TlsBench() {}

  /**
   * A model over a protocol: measured on both nodes.
   *
   * @param warmUpRequests each node's first requests of the pair, not measured: a count, not a time, so that a node
   *     slowed by other work on the machine still gets its JIT (the TLS engine's code too) as warm as the other's
   */
  record Pair(String model, String modelLabel, InferPayload payload, Protocol protocol, int warmUpRequests) {
    String label() {
      return modelLabel + ", " + protocol.title;
    }

    String fileName() {
      return (modelLabel + "-" + protocol.label).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }
  }

  /** One running node: its processes, its ports, how the bench reaches them. */
  private record Node(Side side, MaasProcesses processes, MaasProcesses.Gateway gateway, Deployment deployment,
      Loopback loopback, HttpClient http) {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int rounds = Integer.getInteger("bench.rounds", quick ? 2 : 12);
    Duration turnWarmUp = Duration.ofMillis(quick ? 300 : 400);
    Duration turnMeasure = Duration.ofMillis(Integer.getInteger("bench.turn_ms", quick ? 800 : 1000));
    Duration profileMeasure = Duration.ofSeconds(quick ? 2 : 5);
    int simpleWarmUp = quick ? 3000 : 20000;
    int minilmWarmUp = quick ? 300 : 2000;
    Path root = Path.of(System.getProperty("maas.root", ".")).toAbsolutePath().normalize();
    Path jar = root.resolve("gateway/target/maas-gateway.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -q -pl bench -am package -DskipTests` first");
    }
    long t0 = System.nanoTime();
    RunInfo info = RunInfo.create(root, quick, "java -jar bench/target/maas-bench.jar" + (quick ? " --quick" : "")
        + " tls");
    Path work = root.resolve("bench/target/tls");
    BenchRepository.deleteTree(work);
    Path repository = work.resolve("models");
    BenchRepository.copyTree(root.resolve("conf/models/simple"), repository.resolve(BenchRepository.SIMPLE));
    BenchRepository.minilm(root, repository.resolve(BenchRepository.BATCHED),
        BenchRepository.BATCHING + BenchRepository.TEXT);
    List<String> models = List.of(BenchRepository.SIMPLE, BenchRepository.BATCHED);
    TestCertificates certs = TestCertificates.write(work.resolve("certs"), List.of());
    List<Pair> pairs = List.of(
        new Pair(BenchRepository.SIMPLE, "simple", Payloads.simple(), Protocol.REST_JSON, simpleWarmUp),
        new Pair(BenchRepository.SIMPLE, "simple", Payloads.simple(), Protocol.GRPC, simpleWarmUp),
        new Pair(BenchRepository.BATCHED, "MiniLM", Payloads.minilm(TOKENS), Protocol.REST_JSON, minilmWarmUp),
        new Pair(BenchRepository.BATCHED, "MiniLM", Payloads.minilm(TOKENS), Protocol.GRPC, minilmWarmUp));

    List<TlsReport.Turn> turns = new ArrayList<>();
    Map<Side, Long> closedByNode = new EnumMap<>(Side.class);
    FreePorts ports = new FreePorts();
    try (MaasProcesses plainProcesses = new MaasProcesses(jar, work.resolve("logs"), ports);
        MaasProcesses tlsProcesses = new MaasProcesses(jar, work.resolve("logs"), ports);
        LoadGenerator generator = new LoadGenerator()) {
      MaasProcesses.Gateway plainGateway = plainProcesses.launchStandalone("node-plaintext", repository, Auth.ON);
      MaasProcesses.Gateway tlsGateway = tlsProcesses.launchStandalone("node-tls", repository, Auth.ON,
          "gateway.tls.cert_file=" + certs.server(), "gateway.tls.key_file=" + certs.serverKey());
      Map<Side, Node> nodes = new EnumMap<>(Side.class);
      nodes.put(Side.PLAINTEXT, node(Side.PLAINTEXT, plainProcesses, plainGateway, Loopback.PLAINTEXT, models));
      nodes.put(Side.TLS, node(Side.TLS, tlsProcesses, tlsGateway, Loopback.trusting(certs.ca()), models));
      System.out.printf("tls: both nodes ready, keys made (%s)%n", Bench.elapsed(t0));
      Map<Side, Long> closedBefore = new EnumMap<>(Side.class);
      nodes.forEach((side, n) -> closedBefore.put(side, closedByGuard(n)));
      for (Pair p : pairs) {
        for (Node n : nodes.values()) {
          Transport t = p.protocol().transport(generator.vertx(), n.deployment(), p.model(), p.payload(), CONCURRENCY);
          try {
            LoadResult r = generator.requests(t, p.warmUpRequests(), CONCURRENCY);
            System.out.printf("  warm-up, %s, %s: %d requests, %.1f req/s, %d failed%s%n", p.label(), n.side().label,
                p.warmUpRequests(), r.requestsPerSecond(), r.failures(), r.firstFailures().isEmpty() ? ""
                    : " (" + r.firstFailures().get(0) + ")");
          } finally {
            t.close().await();
          }
        }
      }
      for (int round = 0; round < rounds; round++) {
        for (Pair p : pairs) {
          for (Side side : TlsReport.order(round)) {
            TlsReport.Turn turn = turn(generator, nodes.get(side), p, round, turnWarmUp, turnMeasure);
            turns.add(turn);
            System.out.println("  " + turn.summary());
          }
        }
        System.out.printf("tls: round %d of %d done (%s)%n", round + 1, rounds, Bench.elapsed(t0));
      }
      nodes.forEach((side, n) -> closedByNode.put(side, closedByGuard(n) - closedBefore.get(side)));
      String profiler = System.getProperty("bench.profiler", "");
      if (!profiler.isEmpty()) {
        for (Pair p : pairs) {
          for (Node n : nodes.values()) {
            profile(generator, n, p, Path.of(profiler).toAbsolutePath(), work, turnWarmUp, profileMeasure);
          }
        }
      }
    }
    String took = Bench.elapsed(t0);
    String method = String.format(Locale.ROOT, "%s%s.%n%nCommand: `%s`; the run took %s, node starts included."
            + "%n%nTwo standalone nodes on "
            + "127.0.0.1 (`java -jar gateway/target/maas-gateway.jar standalone`, each its own cluster), started as "
            + "users run them: API keys on (the default; one key made through the admin API, its limit never "
            + "reached), the default `cpu` slot (ONNX Runtime, 2 intra-op threads), the same repository: `simple` "
            + "and `minilm_batched` (all-MiniLM-L6-v2, max_batch_size 32, dynamic batching, as minilm-16). One is "
            + "plaintext; the other has `gateway.tls.cert_file` and `key_file` set (an EC P-256 certificate from a "
            + "test CA, `TestCertificates`; the JDK's TLS engine, TLS 1.2/1.3 with AEAD suites) and nothing else "
            + "different. The bench trusts the test "
            + "CA only. Load: a closed loop of %d, over connections reused for the whole window: REST JSON is "
            + "HTTP/1.1 keep-alive with %d pooled connections (over TLS the same HTTP/1.1, by ALPN), gRPC one HTTP/2 "
            + "connection (by prior knowledge, or ALPN over TLS). `simple`: Triton's small model, INT32 [1, 16] x 2; "
            + "MiniLM: 1 sequence of %d token ids a request, the pooled embedding asked for, as minilm-16. Each node "
            + "first gets %,d (simple) or %,d (MiniLM) unmeasured requests per pair, whatever time they take. Then %d "
            + "rounds; each runs every pair on both nodes, one "
            + "after the other (plaintext first in odd-numbered rounds, TLS first in even-numbered ones), never at "
            + "once: a turn opens new connections, loads them %.2f s (the TLS handshakes happen there), then "
            + "measures %.1f s on the same connections. The load generator (one Vert.x event loop) and both nodes "
            + "share the machine's %d cores, with other work on it: single turns are noisy, which is why the goal "
            + "is read on the median of the rounds' ratios. Connections the nodes closed themselves over the warm-ups "
            + "and rounds (`maas_gateway_connections_closed_total`: header or keep-alive timeouts, over the limit): "
            + "%d plaintext, %d TLS.",
        info.machine(), quick ? " (--quick: a check that everything works, not a measurement)" : "", info.command(),
        took,
        CONCURRENCY, CONCURRENCY, TOKENS, simpleWarmUp, minilmWarmUp, rounds, turnWarmUp.toMillis() / 1000.0,
        turnMeasure.toMillis() / 1000.0, Runtime.getRuntime().availableProcessors(),
        closedByNode.getOrDefault(Side.PLAINTEXT, -1L), closedByNode.getOrDefault(Side.TLS, -1L));
    String md = TlsReport.markdown(method, turns);
    Path results = root.resolve("bench/results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("tls.md"), md);
    Files.writeString(results.resolve("tls.csv"), TlsReport.csv(turns));
    System.out.println(md);
    System.out.printf("%nGoals (%s):%n", took);
    for (Goal g : TlsReport.goals(TlsReport.rows(turns))) {
      System.out.printf("  %-7s %s: %s: %s%n", g.verdict(), g.scenario(), g.goal(), g.measured());
    }
  }

  /** Waits until the node is live and its models ready, its key made (through its own admin API). */
  private static Node node(Side side, MaasProcesses processes, MaasProcesses.Gateway gateway, Loopback loopback,
      List<String> models) {
    Deployment d = Deployment.ready("standalone", Auth.ON, loopback, processes, List.of(gateway), processes.admins(),
        models, START);
    return new Node(side, processes, gateway, d, loopback, loopback.client());
  }

  /**
   * One turn: new connections, warmed up, then a window measured on them; the node's CPU over the window (JMX), the
   * bench's own, the connections opened before and in it, and the node's open connections at its end.
   */
  private static TlsReport.Turn turn(LoadGenerator generator, Node n, Pair p, int round, Duration warm,
      Duration measure) {
    Transport t = p.protocol().transport(generator.vertx(), n.deployment(), p.model(), p.payload(), CONCURRENCY);
    try {
      generator.closedLoop(t, CONCURRENCY, warm, Duration.ZERO);
      long opened = t.connectionsOpened();
      long server0 = n.deployment().probe().cpuNanos().orElse(-1);
      long client0 = Runner.processCpuNanos();
      LoadResult r = generator.closedLoop(t, CONCURRENCY, Duration.ZERO, measure);
      long client1 = Runner.processCpuNanos();
      long server1 = n.deployment().probe().cpuNanos().orElse(-1);
      long openedInWindow = t.connectionsOpened() - opened;
      long serverOpen = openConnections(n, p.protocol() == Protocol.GRPC ? "grpc" : "rest");
      return new TlsReport.Turn(p.label(), n.side(), round, r, server0 < 0 || server1 < 0 ? Double.NaN
          : server1 - server0, client1 - client0, opened, openedInWindow, serverOpen, t.tlsSession());
    } finally {
      t.close().await();
    }
  }

  /** The node's {@code maas_gateway_connections_open} for this server ({@code rest}, {@code grpc}); -1 if unread. */
  private static long openConnections(Node n, String server) {
    String metrics = metrics(n);
    return metrics == null ? -1 : gauge(metrics, "maas_gateway_connections_open", server);
  }

  /** The connections the node closed itself, REST and gRPC, every reason; -1 if unread. */
  private static long closedByGuard(Node n) {
    String metrics = metrics(n);
    return metrics == null ? -1 : Math.max(0, gauge(metrics, "maas_gateway_connections_closed_total", "rest"))
        + Math.max(0, gauge(metrics, "maas_gateway_connections_closed_total", "grpc"));
  }

  /** The node's {@code /metrics} (over TLS on the TLS node: its admin port is TLS too); null if unread. */
  private static String metrics(Node n) {
    try {
      HttpResponse<String> r = n.http().send(HttpRequest.newBuilder(n.loopback().uri(n.gateway().adminPort(),
          "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The sum of a metric's samples tagged {@code server="<server>"} in a Prometheus exposition; -1 if none. */
  static long gauge(String exposition, String name, String server) {
    double sum = 0;
    boolean found = false;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + "{") && line.contains("server=\"" + server + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? Math.round(sum) : -1;
  }

  /**
   * One more turn, not counted, with async-profiler sampling the node's CPU over its window: its collapsed stacks
   * and a flame graph under {@code work}.
   */
  private static void profile(LoadGenerator generator, Node n, Pair p, Path library, Path work, Duration warm,
      Duration measure) throws IOException, InterruptedException {
    long pid = n.processes().pid(n.gateway().name());
    Path out = work.resolve("profile-" + n.side().label.toLowerCase(Locale.ROOT) + "-" + p.fileName());
    Transport t = p.protocol().transport(generator.vertx(), n.deployment(), p.model(), p.payload(), CONCURRENCY);
    try {
      generator.closedLoop(t, CONCURRENCY, warm, Duration.ZERO);
      jcmd(pid, library, "start,event=cpu,interval=1ms");
      LoadResult r = generator.closedLoop(t, CONCURRENCY, Duration.ZERO, measure);
      jcmd(pid, library, "dump,collapsed,file=" + out + ".collapsed");
      jcmd(pid, library, "stop,file=" + out + ".html");
      System.out.printf("  profiled %s, %s: %.1f req/s under the profiler -> %s.collapsed%n", p.label(),
          n.side().label, r.requestsPerSecond(), out);
    } finally {
      t.close().await();
    }
  }

  /**
   * Loads async-profiler into the process (again: it keeps its state) with this command, quoted: jcmd's parser would
   * take the {@code =} of {@code event=cpu} for one of its own options. jcmd exits 0 either way; the agent's verdict is
   * its "return code".
   */
  private static void jcmd(long pid, Path library, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "JVMTI.agent_load", library.toString(),
        '"' + command + '"').redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !output.contains("return code: 0")) {
      throw new IllegalStateException("jcmd " + pid + " JVMTI.agent_load " + command + ": " + output.trim()
          + " (the agent's messages are in the node's log)");
    }
  }
}
