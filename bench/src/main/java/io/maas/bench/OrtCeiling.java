package io.maas.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.maas.bench.load.InferPayload;
import io.maas.config.CommandLine;
import io.maas.config.ConfigLoader;
import io.maas.config.MaasConfig;
import io.maas.config.SlotConfig;
import io.maas.worker.runtime.OrtRuntime;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The ceiling: the same model file, opened in the bench's own JVM with the worker's own session options
 * ({@link OrtRuntime#optionsFor} on the first slot of the configuration the worker reads, conf/maas.yaml
 * and its overrides), run back to back on the calling thread with no server in between.
 */
final class OrtCeiling implements AutoCloseable {
  static final long MAX_MICROS = 120_000_000L;

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtRuntime.SlotOptions options;
  private final OrtSession session;
  private final SlotConfig slot;

  OrtCeiling(Path modelFile) throws OrtException {
    MaasConfig config = ConfigLoader.ofProcess().loadOnce(CommandLine.parse());
    this.slot = config.worker().slots().get(0);
    this.options = new OrtRuntime(env).optionsFor(slot);
    this.session = new OrtRuntime(env).openSession(modelFile, options.options());
  }

  /** The session options in words, for the report. */
  String describeOptions() {
    return "intra_op_threads " + slot.session().intraOpThreads() + ", inter_op_threads "
        + slot.session().interOpThreads() + ", optimization_level " + slot.session().optimizationLevel();
  }

  /** What back-to-back runs at one batch size gave. */
  record BatchRun(int batch, long runs, double seconds, Histogram runMicros) {
    double itemsPerSecond() {
      return runs * batch / seconds;
    }

    double p50Millis() {
      return runMicros.getValueAtPercentile(50) / 1000.0;
    }
  }

  /**
   * Runs the model at one batch size: the payload's rows repeated {@code batch} times, the input tensors
   * made once (the model alone is measured), {@code warmUp} not counted.
   */
  BatchRun throughput(InferPayload row, int batch, Duration warmUp, Duration measure) throws OrtException {
    Map<String, OnnxTensor> inputs = tensors(row, batch);
    try {
      runFor(inputs, warmUp, null);
      Histogram h = new Histogram(MAX_MICROS, 3);
      long start = System.nanoTime();
      long runs = runFor(inputs, measure, h);
      return new BatchRun(batch, runs, (System.nanoTime() - start) / 1e9, h);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * The latency of one in-process call as a Java caller makes it: input tensors made from the request's
   * arrays, the run, every output copied out, everything closed.
   */
  Histogram callLatency(InferPayload request, Duration warmUp, Duration measure) throws OrtException {
    Histogram h = new Histogram(MAX_MICROS, 3);
    callsFor(request, warmUp, null);
    callsFor(request, measure, h);
    return h;
  }

  private void callsFor(InferPayload request, Duration d, Histogram h) throws OrtException {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      Map<String, OnnxTensor> inputs = tensors(request, 1);
      try (OrtSession.Result r = session.run(inputs)) {
        r.forEach(e -> ((OnnxTensor) e.getValue()).getByteBuffer());
      } finally {
        inputs.values().forEach(OnnxTensor::close);
      }
      if (h != null) {
        h.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - t0) / 1000));
      }
    }
  }

  private long runFor(Map<String, OnnxTensor> inputs, Duration d, Histogram h) throws OrtException {
    long end = System.nanoTime() + d.toNanos();
    long runs = 0;
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      try (OrtSession.Result r = session.run(inputs)) {
        runs++;
      }
      if (h != null) {
        h.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - t0) / 1000));
      }
    }
    return runs;
  }

  /** Best items/s over the batch sizes. */
  List<BatchRun> sweep(InferPayload row, int[] batches, Duration warmUp, Duration measure) throws OrtException {
    List<BatchRun> runs = new ArrayList<>();
    for (int b : batches) {
      BatchRun r = throughput(row, b, warmUp, measure);
      System.out.printf("  ceiling batch %3d: %8.1f seq/s, run p50 %.2f ms%n", b, r.itemsPerSecond(), r.p50Millis());
      runs.add(r);
    }
    return runs;
  }

  private Map<String, OnnxTensor> tensors(InferPayload payload, int repeat) throws OrtException {
    Map<String, OnnxTensor> map = new HashMap<>();
    for (InferPayload.Input in : payload.inputs()) {
      long[] shape = in.shape().clone();
      shape[0] *= repeat;
      int n = in.values().length * repeat;
      if (in.datatype().equals("INT64")) {
        LongBuffer b = LongBuffer.allocate(n);
        for (int i = 0; i < repeat; i++) {
          b.put(in.values());
        }
        map.put(in.name(), OnnxTensor.createTensor(env, b.flip(), shape));
      } else {
        IntBuffer b = IntBuffer.allocate(n);
        for (int i = 0; i < repeat; i++) {
          for (long v : in.values()) {
            b.put((int) v);
          }
        }
        map.put(in.name(), OnnxTensor.createTensor(env, b.flip(), shape));
      }
    }
    return map;
  }

  @Override
  public void close() throws OrtException {
    session.close();
    options.close();
  }
}
