package io.maas.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * maas as the bench measures it: processes of the real fat jar on 127.0.0.1, either one standalone node
 * (gateway and worker in one JVM) or one gateway and separate worker processes, every one serving the
 * same model repository; ready once every model answers ready through the gateway.
 */
final class Deployment implements AutoCloseable {
  private final String name;
  private final MaasProcesses processes;
  private final int httpPort;
  private final int grpcPort;
  private final AllocationProbe probe;

  private Deployment(String name, MaasProcesses processes, int httpPort, int grpcPort) {
    this.name = name;
    this.processes = processes;
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
    this.probe = new AllocationProbe(processes.admins());
  }

  static Deployment standalone(Path jar, Path logs, Path repository, List<String> models, Duration timeout)
      throws IOException {
    MaasProcesses p = new MaasProcesses(jar, logs);
    try {
      int http = MaasProcesses.freePort();
      int grpc = MaasProcesses.freePort();
      p.startStandalone("standalone", repository, http, grpc, timeout);
      awaitReady(http, models, timeout);
      return new Deployment("standalone", p, http, grpc);
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  static Deployment gatewayAndWorkers(Path jar, Path logs, Path repository, int workers, List<String> models,
      Duration timeout) throws IOException {
    MaasProcesses p = new MaasProcesses(jar, logs);
    try {
      int http = MaasProcesses.freePort();
      int grpc = MaasProcesses.freePort();
      p.startGateway("gateway", http, grpc, timeout);
      List<Path> logFiles = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        logFiles.add(p.startWorker("worker-" + i, repository, "{\"device\":\"cpu\"}"));
      }
      for (Path log : logFiles) {
        MaasProcesses.awaitWorkerId(log, timeout);
      }
      awaitReady(http, models, timeout);
      return new Deployment("1 gateway + " + workers + " workers", p, http, grpc);
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  private static void awaitReady(int http, List<String> models, Duration timeout) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String model : models) {
      HttpRequest ready = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + http + "/v2/models/" + model + "/ready")).build();
      while (true) {
        try {
          if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            break;
          }
        } catch (IOException e) {
          // not answering yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("model " + model + " not ready within " + timeout);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
  }

  String name() {
    return name;
  }

  int httpPort() {
    return httpPort;
  }

  int grpcPort() {
    return grpcPort;
  }

  AllocationProbe probe() {
    return probe;
  }

  @Override
  public void close() {
    probe.close();
    processes.close();
  }
}
