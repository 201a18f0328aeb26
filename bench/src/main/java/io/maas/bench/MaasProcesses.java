package io.maas.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One maas cluster of separate processes, each the real fat jar ({@code java -jar maas-gateway.jar
 * gateway|worker}), on 127.0.0.1: its own cluster name, a free block of Hazelcast ports in 5900-5999,
 * logs under the given directory. Every gateway on free ports, with or without API keys; those with keys
 * share one admin token, generated here. {@link #close()} kills every process. The cluster's name is
 * {@code bench-<random>}, or {@code <prefix>-<random>} with {@code -Dbench.cluster_prefix=<prefix>} (to tell
 * the bench's clusters apart from others' on a shared machine).
 */
final class MaasProcesses implements AutoCloseable {
  /** A gateway's or standalone node's admin server, which serves /metrics. */
  static final String GATEWAY_ADMIN_PORT = "gateway.admin_port";
  /** A worker-only process's metrics server. */
  static final String WORKER_METRICS_PORT = "worker.metrics_port";
  private static final Pattern LISTENING = Pattern.compile("worker (\\S+) on (\\S+) listening on");

  private final Path jar;
  private final Path logs;
  private final String clusterName = System.getProperty("bench.cluster_prefix", "bench") + "-"
      + UUID.randomUUID().toString().substring(0, 8);
  private final String adminToken = UUID.randomUUID().toString();
  private final FreePorts ports;
  private final int hazelcastPort;
  private final List<Process> processes = new ArrayList<>();
  private final List<Admin> admins = new ArrayList<>();
  /** The processes {@link #stop stopped} on purpose: their exit is no failure. */
  private final Set<String> stopped = new HashSet<>();
  private final Thread killer = new Thread(this::killAll, "bench-kill");

  MaasProcesses(Path jar, Path logs) throws IOException {
    this(jar, logs, new FreePorts());
  }

  /** @param ports where its ports come from: clusters started side by side share one */
  MaasProcesses(Path jar, Path logs, FreePorts ports) throws IOException {
    this.jar = jar;
    this.logs = logs;
    this.ports = ports;
    this.hazelcastPort = ports.hazelcastBlock();
    Files.createDirectories(logs);
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * Where a process can be asked how much it allocated: its admin port (whose {@code /metrics} may be
   * served) and a loopback JMX port (always: {@code com.sun.management.jmxremote}, no auth, 127.0.0.1).
   */
  record Admin(String name, int adminPort, int jmxPort) {}

  /**
   * A gateway (or standalone node) started: its name, REST, gRPC and admin ports.
   *
   * @param adminPort the admin server: {@code /metrics}, and the key API when it checks keys
   */
  record Gateway(String name, int httpPort, int grpcPort, int adminPort) {}

  /** The admin API's bearer token of every gateway here that checks keys. */
  String adminToken() {
    return adminToken;
  }

  /** The processes started so far, with their admin and JMX ports. */
  List<Admin> admins() {
    return List.copyOf(admins);
  }

  /**
   * Starts a gateway without API keys and waits until its REST port answers; gives its port. For
   * {@link SimScaling}, which measures routing over simulated workers, not admission.
   */
  int startGateway(Duration timeout) throws IOException {
    Gateway g = launchGateway("gateway", Auth.OFF);
    awaitLive(g.httpPort(), timeout);
    return g.httpPort();
  }

  /**
   * Starts a gateway-only process on free ports; does not wait for it.
   *
   * @param sets more settings, each {@code key=value} as for {@code --set}
   */
  Gateway launchGateway(String name, Auth auth, String... sets) throws IOException {
    int http = ports.next();
    int grpc = ports.next();
    List<String> args = new ArrayList<>(gatewayArgs("gateway", name, http, grpc, auth));
    for (String set : sets) {
      args.addAll(List.of("--set", set));
    }
    int admin = launch(name, args, GATEWAY_ADMIN_PORT);
    return new Gateway(name, http, grpc, admin);
  }

  /** Starts a standalone node (gateway + worker in one JVM) serving this repository; does not wait for it. */
  Gateway launchStandalone(String name, Path repository, Auth auth) throws IOException {
    return launchStandalone(name, repository, auth, new String[0]);
  }

  /**
   * The same with more settings.
   *
   * @param sets more settings, each {@code key=value} as for {@code --set}
   */
  Gateway launchStandalone(String name, Path repository, Auth auth, String... sets) throws IOException {
    int http = ports.next();
    int grpc = ports.next();
    List<String> args = new ArrayList<>(gatewayArgs("standalone", name, http, grpc, auth));
    args.addAll(List.of("--model-repository", repository.toString()));
    for (String set : sets) {
      args.addAll(List.of("--set", set));
    }
    int admin = launch(name, args, GATEWAY_ADMIN_PORT);
    return new Gateway(name, http, grpc, admin);
  }

  /**
   * Each gateway keeps its own key store ({@code <name>-data}, emptied first: every run starts from no
   * keys, so that keys of earlier runs are not loaded); with keys on, its admin API takes this cluster's token.
   */
  private List<String> gatewayArgs(String mode, String name, int http, int grpc, Auth auth) throws IOException {
    Path data = logs.resolve(name + "-data");
    BenchRepository.deleteTree(data);
    List<String> args = new ArrayList<>(List.of(mode, "--http-port", Integer.toString(http), "--host", "127.0.0.1",
        "--set", "gateway.grpc_port=" + grpc,
        "--set", "gateway.auth_enabled=" + (auth == Auth.ON),
        "--set", "gateway.data_dir=" + data));
    if (auth == Auth.ON) {
      args.addAll(List.of("--set", "gateway.admin_token=" + adminToken));
    }
    return args;
  }

  /**
   * Fails at once, naming its log, if a process started here has exited: waiting for what it would have
   * served would only run into the timeout.
   */
  void checkRunning() {
    for (int i = 0; i < processes.size(); i++) {
      if (!processes.get(i).isAlive() && !stopped.contains(admins.get(i).name())) {
        String name = admins.get(i).name();
        throw new IllegalStateException(name + " exited (code " + processes.get(i).exitValue() + "); see " + log(name));
      }
    }
  }

  /** Waits until this REST port answers {@code /v2/health/live} (open with or without keys). */
  void awaitLive(int http, Duration timeout) {
    awaitLive(Loopback.PLAINTEXT, http, timeout);
  }

  /** The same over TLS, or not, as {@code loopback} says. */
  void awaitLive(Loopback loopback, int http, Duration timeout) {
    HttpClient client = loopback.client();
    HttpRequest live = HttpRequest.newBuilder(loopback.uri(http, "/v2/health/live")).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      checkRunning();
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
    return startWorker(name, repository, slotJson, 250);
  }

  /**
   * The same, announcing every {@code announceMillis} (maas's default is 1000; its announcements live 3 ×).
   *
   * @param sets more settings, each {@code key=value} as for {@code --set}
   */
  Path startWorker(String name, Path repository, String slotJson, long announceMillis, String... sets)
      throws IOException {
    return startWorker(name, List.of(), repository, slotJson, announceMillis, sets);
  }

  /** The same, with more options for its JVM (before {@code -jar}). */
  Path startWorker(String name, List<String> javaOptions, Path repository, String slotJson, long announceMillis,
      String... sets) throws IOException {
    List<String> args = new ArrayList<>(List.of("worker", "--model-repository", repository.toString(),
        "--set", "worker.slots=[" + slotJson + "]", "--set", "worker.announce_interval_ms=" + announceMillis));
    for (String set : sets) {
      args.addAll(List.of("--set", set));
    }
    launch(name, javaOptions, args, WORKER_METRICS_PORT);
    return log(name);
  }

  /** Stops the process started here under this name as an operator would (SIGTERM: a worker drains), and waits. */
  void stop(String name, Duration timeout) throws InterruptedException {
    Process p = processes.get(indexOf(name));
    stopped.add(name);
    p.destroy();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(name + " did not stop within " + timeout + "; see " + log(name));
    }
  }

  /** The process id of the process started here under this name (to read its memory from /proc). */
  long pid(String name) {
    return processes.get(indexOf(name)).pid();
  }

  /** The admin (or, for a worker, metrics) port of the process started here under this name. */
  int adminPort(String name) {
    return admins.get(indexOf(name)).adminPort();
  }

  private int indexOf(String name) {
    for (int i = 0; i < admins.size(); i++) {
      if (admins.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no process named " + name);
  }

  /** Sends a signal ({@code STOP}, {@code CONT}...) to the process started here under this name. */
  void signal(String name, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid(name))).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " of " + name + " failed");
    }
  }

  /** Polls a worker's log until its verticle listens; gives its worker id. */
  String awaitWorkerId(Path log, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      checkRunning();
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
  private int launch(String name, List<String> modeArgs, String adminKey) throws IOException {
    return launch(name, List.of(), modeArgs, adminKey);
  }

  private int launch(String name, List<String> javaOptions, List<String> modeArgs, String adminKey)
      throws IOException {
    int admin = ports.next();
    int jmx = ports.next();
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-Xmx512m", "-Dhazelcast.phone.home.enabled=false",
        "-Dcom.sun.management.jmxremote.port=" + jmx, "-Dcom.sun.management.jmxremote.rmi.port=" + jmx,
        "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
        "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
        "-Djava.io.tmpdir=" + logs.toAbsolutePath()));
    command.addAll(javaOptions);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(modeArgs);
    command.addAll(List.of("--set", adminKey + "=" + admin));
    admins.add(new Admin(name, admin, jmx));
    command.addAll(List.of("--cluster-name", clusterName, "--cluster-port", Integer.toString(hazelcastPort),
        "--cluster-members", "127.0.0.1"));
    Path log = log(name);
    Files.writeString(log, "# " + String.join(" ", command).replace(adminToken, "<admin token>") + "\n");
    processes.add(new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start());
    return admin;
  }

  /** The log file of the process started here under this name. */
  Path log(String name) {
    return logs.resolve(name + ".log");
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
}
