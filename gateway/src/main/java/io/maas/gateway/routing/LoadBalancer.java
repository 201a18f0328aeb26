package io.maas.gateway.routing;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Power of two choices: pick two candidates at random and take the one with the lower load
 * ({@link WorkerEndpoint#load()}: this gateway's in-flight requests on it plus its reported queue depth).
 * It balances on load without the herd effect of always taking the least loaded.
 */
public final class LoadBalancer {
  private final RandomGenerator random;

  public LoadBalancer(RandomGenerator random) {
    this.random = random;
  }

  public WorkerEndpoint pick(List<WorkerEndpoint> candidates) {
    int n = candidates.size();
    if (n == 1) {
      return candidates.get(0);
    }
    int a = random.nextInt(n);
    int b = random.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    WorkerEndpoint x = candidates.get(a);
    WorkerEndpoint y = candidates.get(b);
    return y.load() < x.load() ? y : x;
  }
}
