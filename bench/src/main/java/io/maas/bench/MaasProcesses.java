package io.maas.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One maas cluster of separate processes, each the real fat jar ({@code java -jar maas-gateway.jar
 * gateway|worker}), on 127.0.0.1: its own cluster name, a free block of Hazelcast ports in 5900-5999,
 * logs under the given directory. {@link #close()} kills every process.
 */
final class MaasProcesses implements AutoCloseable {
  /** A gateway's or standalone node's admin server, which serves /metrics. */
  static final String GATEWAY_ADMIN_PORT = "gateway.admin_port";
  /** A worker-only process's metrics server. */
  static final String WORKER_METRICS_PORT = "worker.metrics_port";
  private static final Pattern LISTENING = Pattern.compile("worker (\\S+) on (\\S+) listening on");

  private final Path jar;
  private final Path logs;
  private final String clusterName = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  private final int hazelcastPort = freePortBlock();
  private final List<Process> processes = new ArrayList<>();
  private final List<Admin> admins = new ArrayList<>();
  private final Thread killer = new Thread(this::killAll, "bench-kill");

  MaasProcesses(Path jar, Path logs) throws IOException {
    this.jar = jar;
    this.logs = logs;
    Files.createDirectories(logs);
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * Where a process can be asked how much it allocated: its admin port (whose {@code /metrics} may be
   * served) and a loopback JMX port (always: {@code com.sun.management.jmxremote}, no auth, 127.0.0.1).
   */
  record Admin(String name, int adminPort, int jmxPort) {}

  /** The processes started so far, with their admin and JMX ports. */
  List<Admin> admins() {
    return List.copyOf(admins);
  }

  /** Starts a gateway and waits until its REST port answers; gives its port. */
  int startGateway(Duration timeout) throws IOException {
    int http = freePort();
    startGateway("gateway", http, 0, timeout);
    return http;
  }

  /** Starts a gateway-only process on these ports and waits until its REST port answers. */
  void startGateway(String name, int http, int grpc, Duration timeout) throws IOException {
    launch(name, gatewayArgs("gateway", name, http, grpc), GATEWAY_ADMIN_PORT);
    awaitLive(http, timeout);
  }

  /** Starts a standalone node (gateway + worker in one JVM) serving this repository; waits until live. */
  void startStandalone(String name, Path repository, int http, int grpc, Duration timeout) throws IOException {
    List<String> args = new ArrayList<>(gatewayArgs("standalone", name, http, grpc));
    args.addAll(List.of("--model-repository", repository.toString()));
    launch(name, args, GATEWAY_ADMIN_PORT);
    awaitLive(http, timeout);
  }

  private List<String> gatewayArgs(String mode, String name, int http, int grpc) {
    return List.of(mode, "--http-port", Integer.toString(http), "--host", "127.0.0.1",
        "--set", "gateway.grpc_port=" + grpc,
        // the bench measures serving, not API keys; each gateway keeps its own key store
        "--set", "gateway.auth_enabled=false",
        "--set", "gateway.data_dir=" + logs.resolve(name + "-data"));
  }

  private void awaitLive(int http, Duration timeout) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest live = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v2/health/live")).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (client.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    throw new IllegalStateException("gateway not live within " + timeout + "; see " + logs);
  }

  /** Starts a worker process with one slot of this JSON; returns the log to read its worker id from. */
  Path startWorker(String name, Path repository, String slotJson) throws IOException {
    return launch(name, List.of("worker", "--model-repository", repository.toString(),
        "--set", "worker.slots=[" + slotJson + "]", "--set", "worker.announce_interval_ms=250"),
        WORKER_METRICS_PORT);
  }

  /** Polls a worker's log until its verticle listens; gives its worker id. */
  static String awaitWorkerId(Path log, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        return m.group(1);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    throw new IllegalStateException("no worker listening in " + log + " within " + timeout);
  }

  /**
   * Starts one process. Processes share this host, so each gets a free port of its own for its
   * {@code /metrics} (and admin API): {@code adminKey} is the setting that names it for its mode.
   */
  private Path launch(String name, List<String> modeArgs, String adminKey) throws IOException {
    int admin = freePort();
    int jmx = freePort();
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-Xmx512m", "-Dhazelcast.phone.home.enabled=false",
        "-Dcom.sun.management.jmxremote.port=" + jmx, "-Dcom.sun.management.jmxremote.rmi.port=" + jmx,
        "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
        "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
        "-Djava.io.tmpdir=" + logs.toAbsolutePath(),
        "-jar", jar.toString()));
    command.addAll(modeArgs);
    command.addAll(List.of("--set", adminKey + "=" + admin));
    admins.add(new Admin(name, admin, jmx));
    command.addAll(List.of("--cluster-name", clusterName, "--cluster-port", Integer.toString(hazelcastPort),
        "--cluster-members", "127.0.0.1"));
    Path log = logs.resolve(name + ".log");
    Files.writeString(log, "# " + String.join(" ", command) + "\n");
    processes.add(new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start());
    return log;
  }

  private void killAll() {
    processes.forEach(Process::destroyForcibly);
    for (Process p : processes) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    processes.clear();
  }

  @Override
  public void close() {
    killAll();
    Runtime.getRuntime().removeShutdownHook(killer);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePortBlock() {
    for (int base = 5900; base < 6000; base += 10) {
      boolean free = true;
      for (int p = base; p < base + 10 && free; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free block of 10 ports in 5900-5999");
  }
}
