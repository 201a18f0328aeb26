package io.maas.bench;

import io.maas.bench.load.LoadResult;

/**
 * One measured load through maas.
 *
 * @param deployment "standalone", "1 gateway + 2 workers" or "2 gateways + 2 workers"
 * @param auth whether its gateways checked API keys (on: the default)
 * @param model the model name in the bench's repository
 * @param protocol how the requests were sent
 * @param batching "on", "off"
 * @param load "closed c=32" or "open 800/s"
 * @param result what the load generator measured
 * @param allocatedBytesPerRequest bytes the server's processes allocated per request served; NaN: unknown
 * @param allocationSource where each process's allocation was read from
 * @param generatorCpu the bench JVM's CPU time over the load's wall time (1.0 = one core busy): what the load
 *     generator took from the cores it shares with the server
 * @param serverCpu the server processes' CPU time over the measured window (1.0 = one core busy); NaN: unknown
 */
record Point(String deployment, Auth auth, String model, Protocol protocol, String batching, String load, LoadResult result,
    double allocatedBytesPerRequest, String allocationSource, double generatorCpu, double serverCpu) {

  boolean is(String deployment, Auth auth, Protocol protocol, String batching, String load) {
    return this.deployment.equals(deployment) && this.auth == auth && this.protocol == protocol
        && this.batching.equals(batching) && this.load.equals(load);
  }

  /** Whether the other is this same load on the same deployment, model and protocol (keys on or off). */
  boolean sameLoadAs(Point other) {
    return deployment.equals(other.deployment) && model.equals(other.model) && protocol == other.protocol
        && batching.equals(other.batching) && load.equals(other.load);
  }

  /** The label of the line this point belongs to in a plot. */
  String series() {
    return deployment + ", " + protocol.label + ", batching " + batching + ", auth " + auth.label
        + (load.startsWith("open") ? ", open loop" : "");
  }
}
