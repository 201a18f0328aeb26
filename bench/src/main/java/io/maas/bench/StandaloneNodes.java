package io.maas.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Two standalone nodes (gateway and worker in one JVM) serving the bench's repository, started side by
 * side: one with API keys (the default), one without, each a cluster of its own. Both stay up for the
 * whole standalone part, so that the bench can take turns between them; it loads one at a time.
 */
final class StandaloneNodes implements AutoCloseable {
  static final String NAME = "standalone";

  private final Map<Auth, MaasProcesses> processes = new EnumMap<>(Auth.class);
  private final Map<Auth, Deployment> deployments = new EnumMap<>(Auth.class);

  private StandaloneNodes() {}

  static StandaloneNodes start(Path jar, Path logs, Path repository, List<String> models, Duration timeout)
      throws IOException {
    StandaloneNodes nodes = new StandaloneNodes();
    try {
      FreePorts ports = new FreePorts();
      for (Auth auth : Auth.values()) {
        nodes.processes.put(auth, new MaasProcesses(jar, logs, ports));
      }
      Map<Auth, MaasProcesses.Gateway> gateways = new EnumMap<>(Auth.class);
      for (Auth auth : Auth.values()) {
        gateways.put(auth, nodes.processes.get(auth).launchStandalone(NAME + "-auth-" + auth.label, repository, auth));
      }
      for (Auth auth : Auth.values()) {
        MaasProcesses p = nodes.processes.get(auth);
        nodes.deployments.put(auth, Deployment.ready(NAME, auth, p, List.of(gateways.get(auth)), p.admins(), models,
            timeout));
      }
      return nodes;
    } catch (IOException | RuntimeException e) {
      nodes.close();
      throw e;
    }
  }

  Deployment deployment(Auth auth) {
    return deployments.get(auth);
  }

  @Override
  public void close() {
    deployments.values().forEach(Deployment::close);
    processes.values().forEach(MaasProcesses::close);
  }
}
