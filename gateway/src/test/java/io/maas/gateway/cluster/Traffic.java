package io.maas.gateway.cluster;

import java.time.Duration;
import java.util.Collection;

/** The requests the cluster tests send, and the wait until a gateway routes to given workers. */
final class Traffic {
  static final String SIMPLE = "/v2/models/simple/infer";
  static final String SIMPLE_BODY = """
      {"inputs": [
        {"name": "INPUT0", "shape": [1, 16], "datatype": "INT32", "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
        {"name": "INPUT1", "shape": [1, 16], "datatype": "INT32", "data": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""";
  static final String AFFINE = "/v2/models/affine_fp32/infer";
  static final String AFFINE_BODY = """
      {"inputs": [{"name": "INPUT0", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3, 4, 0.5, 0.25, 0.125, -1]}]}""";

  private Traffic() {}

  /**
   * Sends a light load for {@code simple} until each of these workers has served a request through this
   * gateway: from then on the gateway routes to all of them. Requests before that may fail (the
   * cluster is still forming); the tests measure only the load they start afterwards.
   */
  static void awaitServedBy(GatewayProcess gateway, Collection<String> workers, Duration timeout) {
    awaitServedBy(gateway, SIMPLE, SIMPLE_BODY, workers, timeout);
  }

  static void awaitServedBy(GatewayProcess gateway, String path, String body, Collection<String> workers,
      Duration timeout) {
    try (LoadGenerator warmUp = LoadGenerator.start(gateway.uri(path), body, 2 * workers.size(), Long.MAX_VALUE, timeout)) {
      try {
        Poll.until(timeout, gateway.jvm.name() + " routes " + path + " to " + workers,
            () -> warmUp.snapshot().servedBy().keySet().containsAll(workers));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; warm-up load: " + warmUp.snapshot(), e);
      }
    }
  }
}
