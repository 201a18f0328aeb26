package io.maas.worker.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.DeviceSlots;
import io.maas.worker.batching.RecordingObserver;
import io.maas.worker.memory.FootprintMeter;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.maas.worker.onnx.SampleModels;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.runtime.OrtRuntime;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic batching on a real ONNX Runtime slot with real models: requests merged into one execution get
 * exactly what they get alone (bit for bit for float and integer models; within a stated tolerance for
 * the dynamically quantised MiniLM), and a request the model rejects fails alone. Each batched model
 * waits up to 10 s for a preferred size of 6 items, so which requests share an execution is certain.
 */
class OrtBatchingTest {
  private static final String WAIT_FOR_6 =
      "dynamic_batching: {max_queue_delay_microseconds: 10000000, preferred_batch_size: [6]}\n";

  @TempDir
  static Path repo;

  static Vertx vertx;
  static WorkerExecutor executor;
  static DeviceSlot slot;
  static List<ModelDefinition> defs;

  @BeforeAll
  static void openSlot() throws Exception {
    write("simple", SampleModels.simple(), "max_batch_size: 8\n" + WAIT_FOR_6);
    write("simple_alone", SampleModels.simple(), "max_batch_size: 8\n");
    write("affine", SampleModels.affineFp32(), "max_batch_size: 8\n" + WAIT_FOR_6);
    write("affine_alone", SampleModels.affineFp32(), "max_batch_size: 8\n");
    for (ElemType t : List.of(ElemType.FLOAT, ElemType.DOUBLE, ElemType.FLOAT16, ElemType.INT64, ElemType.INT8,
        ElemType.BOOL, ElemType.STRING)) {
      write("identity_" + t.name().toLowerCase(), OnnxModelBuilder.identity("identity", t, -1, 3),
          "max_batch_size: 8\n" + WAIT_FOR_6);
    }
    Path minilm = Path.of(System.getProperty("maas.root"), "conf/models/all-minilm-l6-v2");
    String text = "text: {input: text, tokenizer: tokenizer.json, output: embedding, pooling: mean, normalize: true}\n";
    write("minilm", Files.readAllBytes(minilm.resolve("1/model.onnx")), "max_batch_size: 32\n" + text + WAIT_FOR_6);
    write("minilm_alone", Files.readAllBytes(minilm.resolve("1/model.onnx")), "max_batch_size: 32\n" + text);
    Files.copy(minilm.resolve("tokenizer.json"), repo.resolve("minilm/tokenizer.json"));
    Files.copy(minilm.resolve("tokenizer.json"), repo.resolve("minilm_alone/tokenizer.json"));
    defs = new ModelRepository(repo).scan();
    vertx = Vertx.vertx();
    executor = vertx.createSharedWorkerExecutor("batching-test", 2);
    slot = await(DeviceSlots.open(vertx, executor, new OrtRuntime(OrtEnvironment.getEnvironment()),
        new SlotConfig("cpu", List.of(), new SessionConfig(2, 1, "all")), 0, 256,
        FootprintMeter.ofProcess()));
  }

  @AfterAll
  static void closeSlot() throws Exception {
    slot.close();
    executor.close();
    await(vertx.close());
  }

  private static void write(String model, byte[] onnx, String config) throws Exception {
    Path dir = repo.resolve(model);
    Files.createDirectories(dir.resolve("1"));
    Files.write(dir.resolve("1/model.onnx"), onnx);
    Files.writeString(dir.resolve("config.yaml"), config);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static ServedModel load(String name, ModelObserver observer) throws Exception {
    ModelDefinition def = defs.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    return await(slot.load(def, 1, observer));
  }

  /** Submits every request before any can run (the batch waits for 6 items), then waits for every answer. */
  static List<Future<InferenceResponse>> submitAll(ServedModel model, List<InferenceRequest> requests) throws Exception {
    List<Future<InferenceResponse>> answers = requests.stream().map(model::infer).toList();
    Future.join(answers).toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(60, TimeUnit.SECONDS);
    return answers;
  }

  static List<InferenceResponse> each(ServedModel model, List<InferenceRequest> requests) throws Exception {
    List<InferenceResponse> out = new ArrayList<>();
    for (InferenceRequest r : requests) {
      out.add(await(model.infer(r)));
    }
    return out;
  }

  static InferenceRequest request(String id, Tensor... inputs) {
    return new InferenceRequest("m", "1", id, List.of(inputs), List.of(), null);
  }

  static Tensor int32(String name, Random random, int rows, int width) {
    ByteBuffer b = ByteBuffer.allocate(rows * width * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * width; i++) {
      b.putInt(random.nextInt(2000) - 1000);
    }
    return new Tensor(name, DataType.INT32, new long[] {rows, width}, b.array());
  }

  static Tensor fp32(String name, Random random, int rows, int width) {
    ByteBuffer b = ByteBuffer.allocate(rows * width * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * width; i++) {
      b.putFloat((float) random.nextGaussian() * 100);
    }
    return new Tensor(name, DataType.FP32, new long[] {rows, width}, b.array());
  }

  @Test
  void mergedSimpleRequestsAreBitIdenticalToRunsAlone() throws Exception {
    Random random = new Random(1);
    List<InferenceRequest> requests = new ArrayList<>();
    for (int rows : new int[] {1, 2, 3}) {
      requests.add(request("r" + rows, int32("INPUT0", random, rows, 16), int32("INPUT1", random, rows, 16)));
    }
    RecordingObserver observer = new RecordingObserver();
    List<Future<InferenceResponse>> batched = submitAll(load("simple", observer), requests);
    List<InferenceResponse> alone = each(load("simple_alone", ModelObserver.NONE), requests);
    for (int i = 0; i < requests.size(); i++) {
      assertEquals(alone.get(i).outputs(), batched.get(i).result().outputs(), "request " + i);
      assertEquals(requests.get(i).id(), batched.get(i).result().id());
    }
    assertEquals(List.of(3), observer.batchRequests(), "one execution merged the three requests");
    assertEquals(6, observer.executions.get(0).batchSize());
    assertEquals(List.of(1L, 2L, 3L), observer.completions.stream().map(RecordingObserver.Completion::items).toList());
    assertTrue(observer.completions.stream().allMatch(RecordingObserver.Completion::success));
  }

  @Test
  void mergedAffineRequestsAreBitIdenticalToRunsAlone() throws Exception {
    Random random = new Random(2);
    List<InferenceRequest> requests = new ArrayList<>();
    for (int rows : new int[] {2, 1, 3}) {
      requests.add(request("r" + rows, fp32("INPUT0", random, rows, SampleModels.AFFINE_IN)));
    }
    RecordingObserver observer = new RecordingObserver();
    List<Future<InferenceResponse>> batched = submitAll(load("affine", observer), requests);
    List<InferenceResponse> alone = each(load("affine_alone", ModelObserver.NONE), requests);
    for (int i = 0; i < requests.size(); i++) {
      assertEquals(alone.get(i).outputs(), batched.get(i).result().outputs(), "request " + i);
    }
    assertEquals(List.of(3), observer.batchRequests());
  }

  @Test
  void identityModelsOfEveryDatatypeGetTheirOwnRowsBack() throws Exception {
    Random random = new Random(3);
    for (DataType type : List.of(DataType.FP32, DataType.FP64, DataType.FP16, DataType.INT64, DataType.INT8,
        DataType.BOOL, DataType.BYTES)) {
      String model = "identity_" + switch (type) {
        case FP32 -> "float";
        case FP64 -> "double";
        case FP16 -> "float16";
        case BYTES -> "string";
        default -> type.name().toLowerCase();
      };
      List<InferenceRequest> requests = new ArrayList<>();
      for (int rows : new int[] {3, 1, 2}) {
        requests.add(request("r" + rows, randomTensor(type, random, rows)));
      }
      RecordingObserver observer = new RecordingObserver();
      List<Future<InferenceResponse>> batched = submitAll(load(model, observer), requests);
      for (int i = 0; i < requests.size(); i++) {
        Tensor in = requests.get(i).inputs().get(0);
        assertEquals(List.of(new Tensor("OUTPUT0", type, in.shape(), in.data())), batched.get(i).result().outputs(),
            model + " request " + i);
      }
      assertEquals(List.of(3), observer.batchRequests(), model);
    }
  }

  static Tensor randomTensor(DataType type, Random random, int rows) {
    int n = rows * 3;
    if (type == DataType.BYTES) {
      List<String> strings = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        strings.add("s" + "x".repeat(random.nextInt(7)) + i);
      }
      return new Tensor("INPUT0", type, new long[] {rows, 3}, BytesElements.encodeStrings(strings));
    }
    byte[] data = new byte[n * type.elementSize()];
    if (type == DataType.BOOL) {
      for (int i = 0; i < n; i++) {
        data[i] = (byte) random.nextInt(2);
      }
    } else if (type == DataType.FP16) {
      ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        b.putShort((short) (0x3c00 + random.nextInt(0x0400))); // 1.0 .. 2.0: no NaN payloads to canonicalise
      }
    } else if (type.isFloatingPoint()) {
      ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        if (type == DataType.FP64) {
          b.putDouble(random.nextGaussian());
        } else {
          b.putFloat((float) random.nextGaussian());
        }
      }
    } else {
      random.nextBytes(data);
    }
    return new Tensor("INPUT0", type, new long[] {rows, 3}, data);
  }

  static InferenceRequest texts(String id, List<String> outputs, String... texts) {
    Tensor t = new Tensor("text", DataType.BYTES, new long[] {texts.length}, BytesElements.encodeStrings(List.of(texts)));
    return new InferenceRequest("m", "1", id, List.of(t), outputs, null);
  }

  /**
   * MiniLM is dynamically quantised (DynamicQuantizeLinear: one scale per tensor, over the whole batch),
   * so a text's embedding depends slightly on what it is batched with: the stated tolerance is a cosine
   * similarity of at least 0.98 to the embedding computed alone (about 0.99 measured), same shapes.
   */
  @Test
  void textRequestsBatchWithinTheQuantisationToleranceOfRunsAlone() throws Exception {
    List<InferenceRequest> requests = List.of(
        texts("a", List.of(), "A man is eating food.", "A man is riding a horse."),
        texts("b", List.of(), "A man is eating a piece of bread."),
        texts("c", List.of(), "The girl is carrying a baby.", "A woman is playing the violin."),
        texts("d", List.of(), "Hello world"));
    RecordingObserver observer = new RecordingObserver();
    List<Future<InferenceResponse>> batched = submitAll(load("minilm", observer), requests);
    List<InferenceResponse> alone = each(load("minilm_alone", ModelObserver.NONE), requests);
    double minCos = 1;
    for (int i = 0; i < requests.size(); i++) {
      InferenceResponse b = batched.get(i).result();
      InferenceResponse a = alone.get(i);
      assertEquals(a.outputs().stream().map(Tensor::toString).toList(), b.outputs().stream().map(Tensor::toString).toList(),
          "same outputs, names and shapes");
      assertEquals(a.parameters(), b.parameters(), "same token counts");
      float[] ea = floats(a.outputs().get(1));
      float[] eb = floats(b.outputs().get(1));
      for (int row = 0; row < ea.length / 384; row++) {
        minCos = Math.min(minCos, cosine(ea, eb, row * 384, 384));
      }
    }
    assertTrue(minCos >= 0.98, "cosine of batched to alone embeddings: " + minCos);
    assertEquals(List.of(4), observer.batchRequests());
    assertEquals(6, observer.executions.get(0).batchSize(), "6 texts");
  }

  @Test
  void aRequestTheModelRejectsFailsAloneAndTheOthersGetTheirRunsAloneResults() throws Exception {
    List<InferenceRequest> requests = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long word = i == 2 ? 10_000_000L : 2000 + i; // past the embedding table: ONNX Runtime rejects it
      requests.add(request("t" + i, int64("input_ids", 101, word, 102), int64("attention_mask", 1, 1, 1),
          int64("token_type_ids", 0, 0, 0)));
    }
    RecordingObserver observer = new RecordingObserver();
    List<Future<InferenceResponse>> batched = submitAll(load("minilm", observer), requests);
    List<InferenceResponse> alone = new ArrayList<>();
    ServedModel reference = load("minilm_alone", ModelObserver.NONE);
    for (int i = 0; i < requests.size(); i++) {
      if (i == 2) {
        MaasException e = assertInstanceOf(MaasException.class, batched.get(i).cause());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      } else {
        assertEquals(await(reference.infer(requests.get(i))).outputs(), batched.get(i).result().outputs(), "t" + i);
      }
    }
    assertEquals(List.of(true, true, false, true, true, true),
        observer.completions.stream().map(RecordingObserver.Completion::success).toList());
  }

  @Test
  void queuedCountsTheRequestsWaitingForTheirBatch() throws Exception {
    ServedModel model = load("simple", ModelObserver.NONE);
    Random random = new Random(4);
    List<Future<InferenceResponse>> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answers.add(model.infer(request("q" + i, int32("INPUT0", random, 1, 16), int32("INPUT1", random, 1, 16))));
    }
    assertEquals(5, model.queued(), "5 items wait for the preferred 6 (or 10 s)");
    answers.add(model.infer(request("q5", int32("INPUT0", random, 1, 16), int32("INPUT1", random, 1, 16))));
    await(Future.all(answers));
    assertEquals(0, model.queued());
  }

  static Tensor int64(String name, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return new Tensor(name, DataType.INT64, new long[] {1, values.length}, b.array());
  }

  static float[] floats(Tensor t) {
    float[] out = new float[(int) t.elementCount()];
    t.buffer().asFloatBuffer().get(out);
    return out;
  }

  static double cosine(float[] a, float[] b, int from, int n) {
    double dot = 0, na = 0, nb = 0;
    for (int i = from; i < from + n; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
