package io.maas.bench;

import io.maas.bench.load.LoadResult;

/**
 * What one or more measured windows of the same load on one deployment gave: the load's result and the
 * sums behind the allocation and CPU figures, so that windows taken in turns with another deployment add
 * up to one point. NaN: a probe could not say.
 *
 * @param allocatedBytes bytes the server's processes allocated while the window's requests were served
 * @param serverCpuNanos the server processes' CPU time over the measured windows, summed
 * @param serverWindowNanos the wall time those CPU readings span
 * @param generatorCpuNanos the bench JVM's CPU time over the loads
 * @param generatorWallNanos the loads' wall time (warm-ups included, as the generator works through them)
 */
record Measurement(LoadResult result, double allocatedBytes, double serverCpuNanos, double serverWindowNanos,
    double generatorCpuNanos, double generatorWallNanos) {

  Measurement plus(Measurement other) {
    return new Measurement(result.plus(other.result), allocatedBytes + other.allocatedBytes,
        serverCpuNanos + other.serverCpuNanos, serverWindowNanos + other.serverWindowNanos,
        generatorCpuNanos + other.generatorCpuNanos, generatorWallNanos + other.generatorWallNanos);
  }

  /** Bytes allocated per request served; NaN if unknown. */
  double allocatedBytesPerRequest() {
    return result.completedSinceStart() > 0 ? allocatedBytes / result.completedSinceStart() : Double.NaN;
  }

  /** The server's CPU over the measured windows (1.0 = one core busy). */
  double serverCpu() {
    return serverCpuNanos / serverWindowNanos;
  }

  /** The generator's CPU over the loads (1.0 = one core busy). */
  double generatorCpu() {
    return generatorCpuNanos / generatorWallNanos;
  }
}
