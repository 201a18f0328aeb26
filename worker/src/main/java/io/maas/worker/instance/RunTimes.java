package io.maas.worker.instance;

/**
 * Where the time of one execution went, summed over its session runs: preparing the inputs (tokenising,
 * merging, conversion to ONNX Runtime tensors), inside ONNX Runtime, and the outputs (conversion,
 * pooling, splitting). Used by one thread at a time.
 */
public final class RunTimes {
  long inputNanos;
  long inferNanos;
  long outputNanos;

  public long inputNanos() {
    return inputNanos;
  }

  public long inferNanos() {
    return inferNanos;
  }

  public long outputNanos() {
    return outputNanos;
  }
}
