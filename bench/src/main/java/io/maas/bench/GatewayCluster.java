package io.maas.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One cluster of separate processes: two workers and four gateways, two with API keys and two without.
 * "1 gateway + 2 workers" loads the first gateway of one kind; "2 gateways + 2 workers" spreads its load
 * over both of that kind (round robin, request by request). With keys on or off the same two workers
 * serve, so the comparison is between gateways only; the gateways not loaded stay idle members of the
 * cluster. The probe of every deployment covers all six processes: an idle gateway may own the
 * partition of the key's rate-limit bucket and do work for the loaded one.
 */
final class GatewayCluster implements AutoCloseable {
  static final int WORKERS = 2;
  static final String ONE_GATEWAY = "1 gateway + " + WORKERS + " workers";
  static final String TWO_GATEWAYS = "2 gateways + " + WORKERS + " workers";

  private final MaasProcesses processes;
  private final Map<Auth, Deployment> oneGateway = new EnumMap<>(Auth.class);
  private final Map<Auth, Deployment> twoGateways = new EnumMap<>(Auth.class);

  private GatewayCluster(MaasProcesses processes) {
    this.processes = processes;
  }

  static GatewayCluster start(Path jar, Path logs, Path repository, List<String> models, Duration timeout)
      throws IOException {
    GatewayCluster cluster = new GatewayCluster(new MaasProcesses(jar, logs));
    try {
      MaasProcesses p = cluster.processes;
      Map<Auth, List<MaasProcesses.Gateway>> gateways = new EnumMap<>(Auth.class);
      for (Auth auth : Auth.values()) {
        List<MaasProcesses.Gateway> two = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
          two.add(p.launchGateway("gateway-auth-" + auth.label + "-" + i, auth));
          if (p.admins().size() == 1) {
            // the first member forms the cluster before the others join it, lest two form clusters of their own
            p.awaitLive(two.get(0).httpPort(), timeout);
          }
        }
        gateways.put(auth, two);
      }
      List<Path> workerLogs = new ArrayList<>();
      for (int i = 0; i < WORKERS; i++) {
        workerLogs.add(p.startWorker("worker-" + i, repository, "{\"device\":\"cpu\"}"));
      }
      for (Path log : workerLogs) {
        p.awaitWorkerId(log, timeout);
      }
      for (Auth auth : Auth.values()) {
        List<MaasProcesses.Gateway> two = gateways.get(auth);
        cluster.oneGateway.put(auth, Deployment.ready(ONE_GATEWAY, auth, p, two.subList(0, 1), p.admins(), models,
            timeout));
        cluster.twoGateways.put(auth, Deployment.ready(TWO_GATEWAYS, auth, p, two, p.admins(), models, timeout));
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  Deployment oneGateway(Auth auth) {
    return oneGateway.get(auth);
  }

  Deployment twoGateways(Auth auth) {
    return twoGateways.get(auth);
  }

  @Override
  public void close() {
    oneGateway.values().forEach(Deployment::close);
    twoGateways.values().forEach(Deployment::close);
    processes.close();
  }
}
