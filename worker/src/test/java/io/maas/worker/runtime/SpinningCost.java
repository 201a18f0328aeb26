package io.maas.worker.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether ORT's spinning threads cost the work that shares their cores: MiniLM runs back to back on one
 * thread (2 intra-op threads) while another thread does steady CPU work standing in for the gateway.
 * Reports ORT runs/s and the stand-in's work/s, spinning on and off. A measurement, not a test.
 */
public final class SpinningCost {
  private SpinningCost() {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args.length > 0 ? args[0] : "conf/models/all-minilm-l6-v2/1/model.onnx");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    OrtRuntime runtime = new OrtRuntime(OrtEnvironment.getEnvironment());
    System.out.println("| batch | allow_spinning | gateway stand-in | MiniLM-16 runs/s | seq/s | stand-in work/s |");
    System.out.println("|---:|---|---|---:|---:|---:|");
    for (int round = 0; round < 2; round++) {
      for (boolean load : List.of(false, true)) {
        for (boolean spinning : List.of(true, false)) {
          SessionConfig s = new SessionConfig(2, 1, "all", "sequential", true, true, spinning);
          try (OrtRuntime.SlotOptions options = runtime.optionsFor(new SlotConfig("cpu", List.of(), s));
              OrtSession session = runtime.openSession(model, options.options())) {
            measure(session, batch, seconds, spinning, load);
          }
        }
      }
    }
  }

  private static void measure(OrtSession session, int batch, int seconds, boolean spinning, boolean load)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[][] ids = new long[batch][16];
    long[][] mask = new long[batch][16];
    long[][] types = new long[batch][16];
    for (long[] row : ids) {
      for (int i = 0; i < 16; i++) {
        row[i] = 1000 + i;
      }
    }
    for (long[] row : mask) {
      java.util.Arrays.fill(row, 1);
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong work = new AtomicLong();
    Thread standIn = new Thread(() -> {
      long x = 1;
      while (!stop.get()) {
        for (int i = 0; i < 10_000; i++) {
          x = x * 6364136223846793005L + 1442695040888963407L;
        }
        work.incrementAndGet();
      }
      if (x == 42) {
        System.out.print("");
      }
    });
    try (OnnxTensor a = OnnxTensor.createTensor(env, ids);
        OnnxTensor b = OnnxTensor.createTensor(env, mask);
        OnnxTensor c = OnnxTensor.createTensor(env, types)) {
      Map<String, OnnxTensor> feed = Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c);
      long warmEnd = System.nanoTime() + 1_000_000_000L;
      while (System.nanoTime() < warmEnd) {
        session.run(feed).close();
      }
      if (load) {
        standIn.start();
      }
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      long runs = 0;
      long workAtStart = work.get();
      while (System.nanoTime() < end) {
        session.run(feed).close();
        runs++;
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long done = work.get() - workAtStart;
      stop.set(true);
      if (load) {
        standIn.join();
      }
      System.out.printf(Locale.ROOT, "| %d | %s | %s | %.0f | %.0f | %s |%n", batch, spinning, load ? "busy" : "none",
          runs / elapsed, runs * batch / elapsed, load ? String.format(Locale.ROOT, "%.0f", done / elapsed) : "-");
    }
  }
}
