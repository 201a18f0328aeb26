package io.maas.worker.instance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.model.TensorSpec;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.batching.RecordingObserver;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.maas.worker.onnx.SampleModels;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.runtime.OrtRuntime;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warmup samples made from a model's config and run through its real ONNX Runtime sessions, as the slot
 * does when it loads a version: every sample, count times, on every instance; failures name the sample.
 */
class WarmupTest {
  /** INPUT0, INPUT1 INT32 [-1, 16], max_batch_size 8: the signature of the sample model {@code simple}. */
  private static final ModelSignature SIMPLE = new ModelSignature(8,
      List.of(new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 16}),
          new TensorSpec("INPUT1", DataType.INT32, new long[] {-1, 16})),
      List.of(new TensorSpec("OUTPUT0", DataType.INT32, new long[] {-1, 16})));

  static SessionOptions options;
  static ModelLoader loader;

  @TempDir
  Path repo;

  @BeforeAll
  static void runtime() throws Exception {
    options = new SessionOptions();
    options.setIntraOpNumThreads(1);
    loader = new ModelLoader(new OrtRuntime(OrtEnvironment.getEnvironment()), 0);
  }

  @AfterAll
  static void close() {
    options.close();
  }

  @Test
  void eachSampleRunsCountTimesOnEveryInstanceAsOneBatch() throws Exception {
    ModelDefinition def = write("simple", SampleModels.simple(), """
        max_batch_size: 8
        dynamic_batching: {}
        instance_group: [{count: 2, kind: KIND_CPU}]
        model_warmup:
          - name: zeros
            batch_size: 4
            count: 3
            inputs:
              INPUT0: {data_type: TYPE_INT32, dims: [16], zero_data: true}
              INPUT1: {data_type: TYPE_INT32, dims: [16], zero_data: true}
          - name: random
            inputs:
              INPUT0: {data_type: TYPE_INT32, dims: [16], random_data: true}
              INPUT1: {data_type: TYPE_INT32, dims: [16], random_data: true}
        """);
    RecordingObserver observer = new RecordingObserver();
    try (LoadedModel model = loader.load(def, 1, options)) {
      Warmup.Result r = Warmup.run(model, def.config().warmup(), def.directory(1), true, observer);
      assertEquals(2, r.samples());
      assertEquals((3 + 1) * 2, r.runs(), "(3 + 1) runs on each of 2 instances");
      assertTrue(r.nanos() > 0);
    }
    assertEquals(List.of(4L, 4L, 4L, 4L, 4L, 4L, 1L, 1L),
        observer.executions.stream().map(RecordingObserver.Execution::batchSize).toList(),
        "every run is an execution of the sample's batch_size");
    assertTrue(observer.executions.stream().allMatch(e -> e.requests() == 1 && e.inferNanos() > 0));
    assertEquals(List.of(), observer.completions, "no client request was answered");
  }

  @Test
  void withoutSamplesNothingRuns() throws Exception {
    ModelDefinition def = write("simple", SampleModels.simple(), "max_batch_size: 8\n");
    RecordingObserver observer = new RecordingObserver();
    try (LoadedModel model = loader.load(def, 1, options)) {
      assertEquals(Warmup.Result.NONE, Warmup.run(model, def.config().warmup(), def.directory(1), false, observer));
    }
    assertEquals(List.of(), observer.executions);
  }

  @Test
  void aTextModelWarmsUpWithSampleTextsThroughItsTokenizer() throws Exception {
    Path minilm = Path.of(System.getProperty("maas.root"), "conf/models/all-minilm-l6-v2");
    assertTrue(Files.isRegularFile(minilm.resolve("1/model.onnx")), "MiniLM is unpacked by `mvn package`");
    Path dir = Files.createDirectories(repo.resolve("minilm").resolve("1"));
    Files.createSymbolicLink(dir.resolve("model.onnx"), minilm.resolve("1/model.onnx").toAbsolutePath());
    Files.createSymbolicLink(repo.resolve("minilm/tokenizer.json"), minilm.resolve("tokenizer.json").toAbsolutePath());
    ModelDefinition def = config("minilm", """
        text: {input: text, tokenizer: tokenizer.json, output: embedding, pooling: mean, normalize: true}
        max_batch_size: 32
        dynamic_batching: {}
        model_warmup:
          - name: sentences
            batch_size: 3
            inputs:
              text: {texts: ["A man is eating food.", "The girl is carrying a baby."]}
          - name: token ids
            inputs:
              input_ids: {data_type: TYPE_INT64, dims: [16], random_data: true}
              attention_mask: {data_type: TYPE_INT64, dims: [16], zero_data: true}
              token_type_ids: {data_type: TYPE_INT64, dims: [16], zero_data: true}
        """);
    RecordingObserver observer = new RecordingObserver();
    try (LoadedModel model = loader.load(def, 1, options)) {
      assertEquals(2, Warmup.run(model, def.config().warmup(), def.directory(1), true, observer).runs());
    }
    assertEquals(List.of(6L, 1L), observer.executions.stream().map(RecordingObserver.Execution::batchSize).toList(),
        "2 texts x batch_size 3, then one sequence of token ids");
  }

  @Test
  void aSampleTheModelRejectsFailsTheWarmupNamingTheSampleAndTheReason() throws Exception {
    // Gather from a table of 2 rows: zeros are fine, random ids in [0, 127] fall off the table
    byte[] lookup = OnnxModelBuilder.create("lookup")
        .input("IDS", ElemType.INT64, -1, 4).output("OUT", ElemType.FLOAT, -1, 4)
        .initializer("TABLE", new long[] {2}, 1f, 2f)
        .node("Gather", List.of("TABLE", "IDS"), List.of("OUT")).build();
    ModelDefinition def = write("lookup", lookup, """
        max_batch_size: 4
        instance_group: [{count: 2}]
        model_warmup:
          - {name: zeros, inputs: {IDS: {data_type: TYPE_INT64, dims: [4], zero_data: true}}}
          - {name: random ids, count: 2, inputs: {IDS: {data_type: TYPE_INT64, dims: [4], random_data: true}}}
        """);
    RecordingObserver observer = new RecordingObserver();
    try (LoadedModel model = loader.load(def, 1, options)) {
      MaasException e = assertThrows(MaasException.class,
          () -> Warmup.run(model, def.config().warmup(), def.directory(1), false, observer));
      assertTrue(e.getMessage().startsWith("warmup sample 'random ids' failed (run 1 of 2 on instance 1 of 2): "
          + "the model rejected the input: "), e.getMessage());
      assertTrue(e.getMessage().contains("out of"), "ONNX Runtime's reason: " + e.getMessage());
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
    assertEquals(3, observer.executions.size(), "zeros on both instances, then the failed run");
  }

  @Test
  void samplesThatDoNotFitTheModelAreRejectedNamingTheSampleAndTheKey() throws Exception {
    String at = "model_warmup[0] 's': ";
    assertEquals(at + "inputs.INPUT2: the model has no input 'INPUT2'; its inputs are [INPUT0, INPUT1]",
        misfit("INPUT2: {data_type: TYPE_INT32, dims: [16], zero_data: true}"));
    assertEquals(at + "inputs.INPUT0.data_type is FP32, but the model's input is INT32",
        misfit("INPUT0: {data_type: TYPE_FP32, dims: [16], zero_data: true}"));
    assertEquals(at + "inputs.INPUT0.dims [1, 16] do not fit the model's input [16] (without its batch dimension)",
        misfit("INPUT0: {data_type: TYPE_INT32, dims: [1, 16], zero_data: true}"));
    assertEquals(at + "missing input 'INPUT1' for model 'simple'; its inputs are [INPUT0, INPUT1]",
        misfit("INPUT0: {data_type: TYPE_INT32, dims: [16], zero_data: true}"), "a client request's checks too");
    assertEquals(at + "inputs.INPUT0: texts are for the text input of a text model; give this input zero_data, "
        + "random_data or input_data_file", misfit("INPUT0: {texts: [hello]}"));
    assertEquals(at + "batch_size 9 is over max_batch_size 8", misfit(9, SIMPLE, both("zero_data: true")));
    ModelSignature unbatched = new ModelSignature(0, List.of(new TensorSpec("INPUT0", DataType.INT32,
        new long[] {16}), new TensorSpec("INPUT1", DataType.INT32, new long[] {16})), SIMPLE.outputs());
    assertEquals(at + "batch_size is 2, but the model has no batch dimension (max_batch_size 0): use 1",
        misfit(2, unbatched, both("zero_data: true")));
    assertEquals(at + "inputs.INPUT0.input_data_file '../secret' is outside the model directory",
        misfit(1, SIMPLE, both("input_data_file: ../secret")));
    assertTrue(misfit(1, SIMPLE, both("input_data_file: nothing"))
        .startsWith(at + "inputs.INPUT0.input_data_file 'nothing' is neither in "), "a missing file");
    Files.createDirectories(repo.resolve("simple"));
    Files.write(repo.resolve("simple/short"), new byte[63]);
    assertEquals(at + "inputs.INPUT0.input_data_file short holds 63 bytes; dims [16] of INT32 need 64",
        misfit(1, SIMPLE, both("input_data_file: short")));
  }

  @Test
  void dataFilesAreReadFromTheModelDirectoryOrItsWarmupDirectoryAndRepeatedPerBatchItem() throws Exception {
    Path model = Files.createDirectories(repo.resolve("simple").resolve("warmup"));
    ByteBuffer ints = ByteBuffer.allocate(16 * 4 + 8).order(ByteOrder.LITTLE_ENDIAN); // Triton: extra bytes unused
    for (int i = 0; i < 18; i++) {
      ints.putInt(i);
    }
    Files.write(model.resolve("raw_input0"), ints.array()); // Triton keeps warmup files in <model>/warmup/
    Files.write(repo.resolve("simple/ones"), ones());
    List<WarmupSamples.Sample> samples = WarmupSamples.of("simple", "1", SIMPLE, warmups("""
        model_warmup:
          - name: s
            batch_size: 2
            inputs:
              INPUT0: {data_type: TYPE_INT32, dims: [16], input_data_file: raw_input0}
              INPUT1: {data_type: TYPE_INT32, dims: [16], input_data_file: ones}
        """), repo.resolve("simple"));
    Tensor in0 = samples.get(0).request().inputs().get(0);
    assertArrayEquals(new long[] {2, 16}, in0.shape());
    byte[] one = java.util.Arrays.copyOf(ints.array(), 64);
    assertArrayEquals(concat(one, one), in0.data(), "the file's first 16 values, once per batch item");
    assertArrayEquals(concat(ones(), ones()), samples.get(0).request().inputs().get(1).data());
  }

  @Test
  void stringFilesAndTextsMakeBytesInputs() throws Exception {
    ModelSignature text = new ModelSignature(4, List.of(new TensorSpec("input_ids", DataType.INT64, new long[] {-1, -1}),
        new TensorSpec("text", DataType.BYTES, new long[] {-1})), List.of(), new io.maas.model.TextSpec("text",
        "embedding", 32, 65536));
    Files.createDirectories(repo.resolve("m"));
    Files.write(repo.resolve("m/strings"), BytesElements.encodeStrings(List.of("first", "second")));
    List<WarmupSamples.Sample> samples = WarmupSamples.of("m", "1", text, warmups("""
        model_warmup:
          - {name: texts, batch_size: 2, inputs: {text: {texts: [a, b]}}}
          - {name: file, inputs: {text: {data_type: TYPE_STRING, dims: [2], input_data_file: strings}}}
        """), repo.resolve("m"));
    Tensor texts = samples.get(0).request().inputs().get(0);
    assertArrayEquals(new long[] {4}, texts.shape(), "the texts, batch_size times");
    assertEquals(List.of("a", "b", "a", "b"), BytesElements.decode(texts.data()).stream().map(String::new).toList());
    assertEquals(List.of("first", "second"),
        BytesElements.decode(samples.get(1).request().inputs().get(0).data()).stream().map(String::new).toList());
    assertEquals("model_warmup[0] 's': input 'text': 5 texts is over the limit of 4 per request for model 'm'",
        assertThrows(MaasException.class, () -> WarmupSamples.of("m", "1", text,
            warmups("model_warmup: [{name: s, inputs: {text: {texts: [a, b, c, d, e]}}}]"), repo.resolve("m")))
            .getMessage());
  }

  @Test
  void randomDataIsTheSameAtEveryLoad() {
    String config = "model_warmup: [{name: s, inputs: {INPUT0: {data_type: TYPE_INT32, dims: [16], random_data: true},"
        + " INPUT1: {data_type: TYPE_INT32, dims: [16], random_data: true}}}]";
    List<WarmupSamples.Sample> a = WarmupSamples.of("simple", "1", SIMPLE, warmups(config), repo);
    List<WarmupSamples.Sample> b = WarmupSamples.of("simple", "1", SIMPLE, warmups(config), repo);
    assertEquals(a.get(0).request().inputs(), b.get(0).request().inputs());
    assertTrue(a.get(0).request().inputs().get(0).buffer().asIntBuffer().get(0) >= 0);
  }

  private String misfit(String inputs) throws Exception {
    return misfit(1, SIMPLE, inputs);
  }

  private String misfit(int batchSize, ModelSignature signature, String inputs) throws Exception {
    Files.createDirectories(repo.resolve("simple"));
    return assertThrows(MaasException.class, () -> WarmupSamples.of("simple", "1", signature, warmups(
        "model_warmup: [{name: s, batch_size: " + batchSize + ", inputs: {" + inputs + "}}]"), repo.resolve("simple")))
        .getMessage();
  }

  private static String both(String data) {
    return "INPUT0: {data_type: TYPE_INT32, dims: [16], " + data + "}, INPUT1: {data_type: TYPE_INT32, dims: [16], "
        + data + "}";
  }

  private List<io.maas.worker.repository.ModelWarmup> warmups(String yaml) {
    try {
      Path dir = Files.createDirectories(repo.resolve("parse").resolve("1"));
      Files.write(dir.resolve("model.onnx"), new byte[] {1});
      Files.writeString(repo.resolve("parse/config.yaml"), yaml);
      ModelDefinition def = new ModelRepository(repo).find("parse", null).orElseThrow();
      assertEquals("", def.error());
      return def.config().warmup();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private ModelDefinition write(String name, byte[] onnx, String config) throws Exception {
    Path dir = Files.createDirectories(repo.resolve(name).resolve("1"));
    Files.write(dir.resolve("model.onnx"), onnx);
    return config(name, config);
  }

  private ModelDefinition config(String name, String config) throws Exception {
    Files.writeString(repo.resolve(name).resolve("config.yaml"), config);
    ModelDefinition def = new ModelRepository(repo).find(name, null).orElseThrow();
    assertEquals("", def.error());
    assertNotNull(def.config().warmup());
    return def;
  }

  private static byte[] ones() {
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 16; i++) {
      b.putInt(1);
    }
    return b.array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
