package io.maas.bench;

import io.maas.bench.load.Target;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the bench loads: one or more gateways of running maas processes, whether they check API keys and
 * the key the bench's requests carry, and a probe of the processes that serve them (allocation, CPU).
 * The processes belong to whoever started them ({@link StandaloneNodes}, {@link GatewayCluster}); closing a
 * deployment closes its probe only.
 */
final class Deployment implements AutoCloseable {
  private final String name;
  private final Auth auth;
  private final Target target;
  private final AllocationProbe probe;

  private Deployment(String name, Auth auth, Target target, AllocationProbe probe) {
    this.name = name;
    this.auth = auth;
    this.target = target;
    this.probe = probe;
  }

  /**
   * Waits until these gateways are live; with keys on, makes the bench's key through the first one's admin
   * API; waits until every model answers ready on every gateway (with the key: a key made on one gateway
   * reaches the others through the cluster's maps).
   *
   * @param name "standalone", "1 gateway + 2 workers", ...: the same for auth on and off
   * @param processes the processes the gateways belong to
   * @param served the processes whose allocation and CPU count for this deployment
   */
  static Deployment ready(String name, Auth auth, MaasProcesses processes, List<MaasProcesses.Gateway> gateways,
      List<MaasProcesses.Admin> served, List<String> models, Duration timeout) {
    return ready(name, auth, Loopback.PLAINTEXT, processes, gateways, served, models, timeout);
  }

  /**
   * The same for gateways whose client ports speak TLS, or not, as {@code loopback} says; the target's transports
   * then trust its CA.
   */
  static Deployment ready(String name, Auth auth, Loopback loopback, MaasProcesses processes,
      List<MaasProcesses.Gateway> gateways, List<MaasProcesses.Admin> served, List<String> models, Duration timeout) {
    gateways.forEach(g -> processes.awaitLive(loopback, g.httpPort(), timeout));
    Optional<String> key = auth == Auth.ON
        ? Optional.of(BenchApiKey.create(loopback, gateways.get(0).adminPort(), processes.adminToken(),
            BenchApiKey.BODY, timeout))
        : Optional.empty();
    gateways.forEach(g -> awaitReady(loopback, processes, g, key, models, timeout));
    Target target = new Target(gateways.stream().map(MaasProcesses.Gateway::httpPort).toList(),
        gateways.stream().map(MaasProcesses.Gateway::grpcPort).toList(), key, loopback.ca());
    return new Deployment(name, auth, target, new AllocationProbe(served));
  }

  private static void awaitReady(Loopback loopback, MaasProcesses processes, MaasProcesses.Gateway gateway,
      Optional<String> key, List<String> models, Duration timeout) {
    HttpClient client = loopback.client();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String model : models) {
      HttpRequest.Builder ready = HttpRequest.newBuilder(
          loopback.uri(gateway.httpPort(), "/v2/models/" + model + "/ready"));
      key.ifPresent(k -> ready.header("Authorization", "Bearer " + k));
      while (true) {
        try {
          if (client.send(ready.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            break;
          }
        } catch (IOException e) {
          // not answering yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("model " + model + " not ready on " + gateway.name() + " within " + timeout);
        }
        processes.checkRunning();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
  }

  String name() {
    return name;
  }

  Auth auth() {
    return auth;
  }

  /** The gateways' ports and the key to send. */
  Target target() {
    return target;
  }

  AllocationProbe probe() {
    return probe;
  }

  @Override
  public void close() {
    probe.close();
  }
}
