package io.maas.gateway.cluster;

import io.maas.gateway.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Real maas processes on 127.0.0.1 for one test (vertx-core's FaultToleranceTest style): each test gets
 * its own cluster name, a free block of Hazelcast ports in 5900-5999 (clear of a developer's 5701),
 * free HTTP ports, and logs under {@code target/cluster-logs/<class>/<test>/}. A failing test's message
 * carries the tail of every process log; every process is killed after each test, whatever happened.
 * Register with {@code @RegisterExtension}.
 */
final class ClusterHarness implements BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final int FIRST_HAZELCAST_PORT = 5900;
  private static final int LAST_HAZELCAST_PORT = 5999;
  private static final int PORT_BLOCK = 10;
  private static final int FIRST_PICKED_PORT = 20_000;
  private static final int PICKED_PORTS = 10_000;
  private static final Set<Integer> GIVEN_PORTS = new HashSet<>();

  private final List<ChildJvm> children = new CopyOnWriteArrayList<>();
  private final Thread killer = new Thread(this::killAll, "cluster-harness-kill");
  private String clusterName;
  private int hazelcastPort;
  private Path dir;
  private Path simRepository;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    String test = context.getRequiredTestMethod().getName();
    clusterName = "it-" + test + "-" + UUID.randomUUID().toString().substring(0, 8);
    hazelcastPort = freePortBlock();
    dir = Path.of("target", "cluster-logs", context.getRequiredTestClass().getSimpleName(), test).toAbsolutePath();
    deleteTree(dir);
    Files.createDirectories(dir);
    simRepository = null;
    Runtime.getRuntime().addShutdownHook(killer);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    if (failure instanceof org.opentest4j.TestAbortedException) {
      throw failure;
    }
    StringBuilder logs = new StringBuilder(String.valueOf(failure.getMessage()));
    for (ChildJvm c : children) {
      logs.append("\n--- ").append(c.name()).append(" (").append(c.log()).append(")")
          .append(c.exitValue().map(v -> ", exited " + v).orElse(", running")).append(", last lines:\n")
          .append(c.tail(40));
    }
    AssertionError withLogs = new AssertionError(logs.toString(), failure);
    withLogs.setStackTrace(failure.getStackTrace());
    throw withLogs;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    killAll();
    Runtime.getRuntime().removeShutdownHook(killer);
  }

  private void killAll() {
    children.forEach(ChildJvm::kill);
    children.forEach(c -> c.awaitExit(Duration.ofSeconds(10)));
    children.clear();
  }

  /** Starts a gateway-only process; returns once its REST port answers. */
  GatewayProcess gateway(String name, String... sets) {
    return startGateway(name, sets).awaitLive(START_TIMEOUT);
  }

  /** Starts a gateway-only process without waiting for it. */
  GatewayProcess startGateway(String name, String... sets) {
    int http = freePort();
    List<String> args = new ArrayList<>(List.of("gateway", "--http-port", Integer.toString(http),
        "--host", "127.0.0.1", "--set", "gateway.grpc_port=0",
        // API keys off unless a test turns them on (a later --set wins); a data dir of its own regardless
        "--set", "gateway.auth_enabled=false", "--set", "gateway.admin_port=0",
        "--set", "gateway.data_dir=" + dir.resolve(name + "-data")));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return new GatewayProcess(launch(name, args), http);
  }

  /** Starts a worker-only process without waiting for it (start several, then await them). */
  WorkerProcess startWorker(String name, WorkerOptions options) {
    List<String> args = new ArrayList<>(List.of("worker"));
    args.addAll(options.args(options.repository() == null ? simRepository() : null));
    return new WorkerProcess(launch(name, args), 1);
  }

  /** Starts {@code maas-gateway.jar} in any mode (the first argument, e.g. {@code standalone}), without waiting. */
  ChildJvm start(String name, String... args) {
    return launch(name, List.of(args));
  }

  /**
   * The mode word first, then this test's cluster, then the process's own arguments: a test's
   * {@code --set cluster.*} comes later and wins.
   */
  private ChildJvm launch(String name, List<String> modeArgs) {
    List<String> args = new ArrayList<>(modeArgs);
    args.addAll(1, clusterArgs());
    ChildJvm jvm = ChildJvm.start(name, args, root(), dir.resolve(name + ".log"));
    children.add(jvm);
    return jvm;
  }

  private List<String> clusterArgs() {
    return List.of("--cluster-name", clusterName, "--cluster-port", Integer.toString(hazelcastPort),
        "--cluster-members", "127.0.0.1");
  }

  /** This test's Hazelcast cluster name. */
  String clusterName() {
    return clusterName;
  }

  /** The first of this test's block of free Hazelcast ports (the block holds 10). */
  int hazelcastPort() {
    return hazelcastPort;
  }

  /** A directory of this test's own, for model repositories. */
  Path dir() {
    return dir;
  }

  /** The default repository for sim workers: the sample models simple and affine_fp32. */
  Path simRepository() {
    if (simRepository == null) {
      simRepository = repository("models", "simple", "affine_fp32");
    }
    return simRepository;
  }

  /** A repository under this test's directory holding copies of these sample models from conf/models. */
  Path repository(String name, String... models) {
    Path repo = dir.resolve(name);
    try {
      for (String m : models) {
        TestRepository.copyTree(root().resolve("conf/models").resolve(m), repo.resolve(m));
      }
      Files.createDirectories(repo);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return repo;
  }

  static Path root() {
    String root = System.getProperty("maas.root");
    if (root == null) {
      throw new IllegalStateException("system property maas.root is not set (surefire sets it)");
    }
    return Path.of(root);
  }

  /**
   * A free port on 127.0.0.1 for a process about to start, never handed out before in this JVM. It is drawn from
   * 20000-29999, below the range the system gives to {@code port 0} binds and outgoing connections (32768-60999
   * on Linux): a port taken from the system's range and let go could be given again, before its process binds
   * it, to another process's random port (seen: a gateway's gRPC port, bound with port 0, was the next
   * gateway's admin port).
   */
  static synchronized int freePort() {
    int start = ThreadLocalRandom.current().nextInt(PICKED_PORTS);
    for (int i = 0; i < PICKED_PORTS; i++) {
      int port = FIRST_PICKED_PORT + (start + i) % PICKED_PORTS;
      if (!GIVEN_PORTS.contains(port) && bindable(port)) {
        GIVEN_PORTS.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port left in " + FIRST_PICKED_PORT + "-"
        + (FIRST_PICKED_PORT + PICKED_PORTS - 1));
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of a block of free ports in 5900-5999, starting the search at a random block. */
  private static int freePortBlock() {
    int blocks = (LAST_HAZELCAST_PORT - FIRST_HAZELCAST_PORT + 1) / PORT_BLOCK;
    int start = ThreadLocalRandom.current().nextInt(blocks);
    for (int i = 0; i < blocks; i++) {
      int base = FIRST_HAZELCAST_PORT + ((start + i) % blocks) * PORT_BLOCK;
      if (blockFree(base)) {
        return base;
      }
    }
    throw new IllegalStateException("no free block of " + PORT_BLOCK + " ports in " + FIRST_HAZELCAST_PORT + "-"
        + LAST_HAZELCAST_PORT);
  }

  private static boolean blockFree(int base) {
    for (int p = base; p < base + PORT_BLOCK; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1"))) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
