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
  private static final Pattern LISTENING = Pattern.compile("worker (\\S+) on (\\S+) listening on");

  private final Path jar;
  private final Path logs;
  private final String clusterName = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  private final int hazelcastPort = freePortBlock();
  private final List<Process> processes = new ArrayList<>();
  private final Thread killer = new Thread(this::killAll, "bench-kill");

  MaasProcesses(Path jar, Path logs) throws IOException {
    this.jar = jar;
    this.logs = logs;
    Files.createDirectories(logs);
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /** Starts a gateway and waits until its REST port answers; gives its port. */
  int startGateway(Duration timeout) throws IOException {
    int http = freePort();
    launch("gateway", List.of("gateway", "--http-port", Integer.toString(http), "--host", "127.0.0.1",
        "--set", "gateway.grpc_port=0",
        // the bench measures routing, not API keys; processes share this host: admin (/metrics) ports of their own
        "--set", "gateway.auth_enabled=false", "--set", "gateway.admin_port=0"));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest live = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v2/health/live")).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (client.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return http;
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
        "--set", "worker.slots=[" + slotJson + "]", "--set", "worker.announce_interval_ms=250",
        "--set", "worker.metrics_port=0"));
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

  private Path launch(String name, List<String> modeArgs) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-Xmx384m", "-Dhazelcast.phone.home.enabled=false", "-jar", jar.toString()));
    command.addAll(modeArgs);
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

  private static int freePort() {
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
