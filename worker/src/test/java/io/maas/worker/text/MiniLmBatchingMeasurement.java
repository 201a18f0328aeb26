package io.maas.worker.text;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.maas.inference.InferenceRequest;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.DeviceSlots;
import io.maas.worker.batching.BatchResult;
import io.maas.worker.instance.LoadedModel;
import io.maas.worker.instance.ModelLoader;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.runtime.OrtRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import io.maas.worker.batching.RecordingObserver;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.device.ServedModel;
import io.maas.worker.memory.FootprintMeter;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MEASUREMENT, not a test (run it with {@code -Dmaas.measure=true}): MiniLM throughput and accuracy of
 * the ways a batch of texts can run, in process, with the worker's own code: each text alone (batching
 * off), grouped by token length (what the batcher does), and padded to the longest (one run per batch).
 */
@EnabledIfSystemProperty(named = "maas.measure", matches = "true")
class MiniLmBatchingMeasurement {
  private static final String[] WORDS = ("the a man woman child dog cat eats runs walks house car road tree green "
      + "blue small large quick slow happy sad city river music book table water light night morning day").split(" ");

  @TempDir
  Path repo;

  @Test
  void measure() throws Exception {
    Path source = Path.of(System.getProperty("maas.root"), "conf/models/all-minilm-l6-v2");
    for (boolean padded : new boolean[] {false, true}) {
      Path dir = repo.resolve(padded ? "padded" : "grouped");
      Files.createDirectories(dir.resolve("1"));
      Files.copy(source.resolve("1/model.onnx"), dir.resolve("1/model.onnx"));
      Files.copy(source.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
      Files.writeString(dir.resolve("config.yaml"), "max_batch_size: 32\ntext: {input: text, tokenizer: tokenizer.json, "
          + "max_length: 256, output: embedding, pooling: mean, normalize: true, padded_batch: " + padded + "}\n");
    }
    List<ModelDefinition> defs = new ModelRepository(repo).scan();
    try (SessionOptions options = new SessionOptions()) {
      options.setIntraOpNumThreads(2);
      options.setInterOpNumThreads(1);
      ModelLoader loader = new ModelLoader(new OrtRuntime(OrtEnvironment.getEnvironment()), 0);
      try (LoadedModel grouped = loader.load(def(defs, "grouped"), 1, options);
           LoadedModel padded = loader.load(def(defs, "padded"), 1, options)) {
        for (int batch : new int[] {16, 32}) {
          for (String shape : new String[] {"uniform-16", "mixed-8..40"}) {
            List<String> texts = texts(batch, shape);
            List<InferenceRequest> one = texts.stream().map(t -> request(t)).toList();
            InferenceRequest all = request(texts.toArray(String[]::new));
            double[] r = rates(batch, List.of(() -> grouped.runBatch(one, false), () -> grouped.runBatch(one, true),
                () -> padded.runBatch(List.of(all), false)));
            double alone = r[0];
            double byLength = r[1];
            double pad = r[2];
            float[][] ref = rows(grouped.runBatch(one, false));
            float[][] g = rows(grouped.runBatch(one, true));
            float[][] p = rows(padded.runBatch(List.of(all), false));
            System.out.printf(Locale.ROOT, "MEASURE batch=%d texts=%s: seq/s alone %.0f, grouped-by-length %.0f, "
                + "padded %.0f | vs alone: grouped max|d| %.2e min cos %.6f; padded max|d| %.2e min cos %.6f%n",
                batch, shape, alone, byLength, pad, maxAbs(ref, g), minCos(ref, g), maxAbs(ref, p), minCos(ref, p));
          }
        }
      }
    }
  }

  /**
   * Closed loop at concurrency 32 through the worker's real scheduler (OrtSlot, DynamicBatcher, worker
   * executor): single-text requests of 16 tokens, batching off and on (delay 0 and 1 ms).
   */
  @Test
  void closedLoopThroughTheBatcher() throws Exception {
    Path source = Path.of(System.getProperty("maas.root"), "conf/models/all-minilm-l6-v2");
    String text = "text: {input: text, tokenizer: tokenizer.json, output: embedding, pooling: mean, normalize: true}\n";
    Map<String, String> variants = new LinkedHashMap<>();
    variants.put("off", "");
    variants.put("on-delay0", "dynamic_batching: {}\n");
    variants.put("on-delay300us", "dynamic_batching: {max_queue_delay_microseconds: 300}\n");
    variants.put("on-delay1000us", "dynamic_batching: {max_queue_delay_microseconds: 1000}\n");
    for (Map.Entry<String, String> v : variants.entrySet()) {
      Path dir = repo.resolve(v.getKey());
      Files.createDirectories(dir.resolve("1"));
      Files.copy(source.resolve("1/model.onnx"), dir.resolve("1/model.onnx"));
      Files.copy(source.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
      Files.writeString(dir.resolve("config.yaml"), "max_batch_size: 32\n" + text + v.getValue());
    }
    List<ModelDefinition> defs = new ModelRepository(repo).scan();
    Vertx vertx = Vertx.vertx();
    WorkerExecutor executor = vertx.createSharedWorkerExecutor("measure", 1);
    DeviceSlot slot = DeviceSlots.open(vertx, executor, new OrtRuntime(OrtEnvironment.getEnvironment()),
        new SlotConfig("cpu", List.of(), new SessionConfig(2, 1, "all")), 0, 256, FootprintMeter.ofProcess())
        .toCompletionStage().toCompletableFuture().get();
    try {
      InferenceRequest request = request(texts(1, "uniform").get(0));
      for (int round = 0; round < 3; round++) {
        for (String name : variants.keySet()) {
          RecordingObserver observer = new RecordingObserver();
          ServedModel model = slot.load(def(defs, name), 1, observer).toCompletionStage().toCompletableFuture().get();
          closedLoop(vertx, model, request, 32, 1_000_000_000L); // warm-up
          observer.executions.clear();
          long n = closedLoop(vertx, model, request, 32, 4_000_000_000L);
          double meanBatch = observer.executions.stream().mapToLong(RecordingObserver.Execution::batchSize).average()
              .orElse(0);
          System.out.printf(Locale.ROOT, "MEASURE closed loop c=32, 16 tokens, batching %s: %.0f req/s, mean batch %.1f%n",
              name, n / 4.0, meanBatch);
          executor.executeBlocking(() -> {
            model.close();
            return null;
          }).toCompletionStage().toCompletableFuture().get();
        }
      }
    } finally {
      slot.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** Runs {@code clients} closed loops for the given time; returns the requests answered. */
  private static long closedLoop(Vertx vertx, ServedModel model, InferenceRequest request, int clients, long nanos)
      throws Exception {
    AtomicLong done = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(clients);
    long deadline = System.nanoTime() + nanos;
    for (int c = 0; c < clients; c++) {
      vertx.runOnContext(v -> next(model, request, deadline, done, finished));
    }
    if (!finished.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new AssertionError("closed loop stuck: " + finished.getCount() + " clients unfinished, queued "
          + model.queued() + ", answered " + done.get());
    }
    return done.get();
  }

  private static void next(ServedModel model, InferenceRequest request, long deadline, AtomicLong done,
      CountDownLatch finished) {
    model.infer(request).onComplete(ar -> {
      if (ar.succeeded()) {
        done.incrementAndGet();
      }
      if (System.nanoTime() - deadline < 0) {
        next(model, request, deadline, done, finished);
      } else {
        finished.countDown();
      }
    });
  }

  private static ModelDefinition def(List<ModelDefinition> defs, String name) {
    return defs.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
  }

  static List<String> texts(int n, String shape) {
    Random random = new Random(42);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int words = shape.startsWith("uniform") ? 14 : 6 + random.nextInt(33);
      StringBuilder b = new StringBuilder();
      for (int w = 0; w < words; w++) {
        b.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
      }
      out.add(b.toString());
    }
    return out;
  }

  static InferenceRequest request(String... texts) {
    Tensor t = new Tensor("text", DataType.BYTES, new long[] {texts.length}, BytesElements.encodeStrings(List.of(texts)));
    return new InferenceRequest("m", "1", "", List.of(t), List.of("embedding"), null);
  }

  /** Sequences per second of each way, measured in alternation so the load of a shared machine hits all alike. */
  private static double[] rates(int texts, List<Supplier<BatchResult>> ways) {
    long[] nanos = new long[ways.size()];
    int[] rounds = new int[ways.size()];
    for (Supplier<BatchResult> w : ways) {
      for (int i = 0; i < 3; i++) {
        w.get();
      }
    }
    long start = System.nanoTime();
    while (System.nanoTime() - start < 6_000_000_000L) {
      for (int w = 0; w < ways.size(); w++) {
        long t = System.nanoTime();
        ways.get(w).get();
        nanos[w] += System.nanoTime() - t;
        rounds[w]++;
      }
    }
    double[] out = new double[ways.size()];
    for (int w = 0; w < out.length; w++) {
      out[w] = rounds[w] * (double) texts / (nanos[w] / 1e9);
    }
    return out;
  }

  /** Every embedding row of every answer, in order. */
  static float[][] rows(BatchResult result) {
    List<float[]> rows = new ArrayList<>();
    for (BatchResult.Answer a : result.answers()) {
      if (!a.succeeded()) {
        throw a.failure();
      }
      Tensor t = a.response().outputs().get(0);
      int hidden = (int) t.shape()[1];
      float[] all = new float[(int) t.elementCount()];
      t.buffer().asFloatBuffer().get(all);
      for (int r = 0; r < t.shape()[0]; r++) {
        float[] row = new float[hidden];
        System.arraycopy(all, r * hidden, row, 0, hidden);
        rows.add(row);
      }
    }
    return rows.toArray(float[][]::new);
  }

  static double maxAbs(float[][] a, float[][] b) {
    double max = 0;
    for (int r = 0; r < a.length; r++) {
      for (int i = 0; i < a[r].length; i++) {
        max = Math.max(max, Math.abs(a[r][i] - b[r][i]));
      }
    }
    return max;
  }

  static double minCos(float[][] a, float[][] b) {
    double min = 1;
    for (int r = 0; r < a.length; r++) {
      double dot = 0, na = 0, nb = 0;
      for (int i = 0; i < a[r].length; i++) {
        dot += a[r][i] * b[r][i];
        na += a[r][i] * a[r][i];
        nb += b[r][i] * b[r][i];
      }
      min = Math.min(min, dot / Math.sqrt(na * nb));
    }
    return min;
  }
}
