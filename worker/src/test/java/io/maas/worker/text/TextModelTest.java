package io.maas.worker.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.TensorSpec;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.instance.LoadedModel;
import io.maas.worker.instance.ModelLoader;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.repository.TextConfig;
import io.maas.worker.runtime.OrtRuntime;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real MiniLM with its committed text section, loaded by the worker's own loader. */
class TextModelTest {
  static final String[] TEXTS = {"A man is eating food.", "The girl is carrying a baby.", "Hello world"};

  static LoadedModel model;
  static HuggingFaceTokenizer reference;
  static SessionOptions options;

  static Path minilmDir() {
    String root = System.getProperty("maas.root");
    assertNotNull(root, "system property maas.root is not set (surefire sets it)");
    return Path.of(root, "conf/models/all-minilm-l6-v2");
  }

  @BeforeAll
  static void load() throws Exception {
    ModelDefinition def = new ModelRepository(minilmDir().getParent()).scan().stream()
        .filter(d -> d.name().equals("all-minilm-l6-v2")).findFirst().orElseThrow();
    assertNotNull(def.config().text(), "conf/models/all-minilm-l6-v2/config.yaml has a text section");
    options = new SessionOptions();
    options.setIntraOpNumThreads(2);
    model = new ModelLoader(new OrtRuntime(OrtEnvironment.getEnvironment()), 0).load(def, 1, options);
    reference = HuggingFaceTokenizer.newInstance(minilmDir().resolve("tokenizer.json"),
        Map.of("padding", "false", "maxLength", "256", "modelMaxLength", "256"));
  }

  @AfterAll
  static void close() throws Exception {
    model.close();
    reference.close();
    options.close();
  }

  static InferenceRequest textRequest(List<String> outputs, String... texts) {
    Tensor t = new Tensor("text", DataType.BYTES, new long[] {texts.length}, BytesElements.encodeStrings(List.of(texts)));
    return new InferenceRequest("all-minilm-l6-v2", "1", "", List.of(t), outputs, null);
  }

  static float[] floats(Tensor t) {
    float[] out = new float[(int) t.elementCount()];
    t.buffer().asFloatBuffer().get(out);
    return out;
  }

  static Tensor int64(String name, long[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new Tensor(name, DataType.INT64, shape, b.array());
  }

  @Test
  void signatureListsTheTextInputAndThePooledOutputBesideTheModelsOwn() {
    assertEquals(List.of("input_ids", "attention_mask", "token_type_ids", "text"), model.signature().inputNames());
    assertEquals(List.of("last_hidden_state", "embedding"), model.signature().outputNames());
    assertEquals(new TensorSpec("text", DataType.BYTES, new long[] {-1}), model.signature().input("text").orElseThrow());
    assertEquals(new TensorSpec("embedding", DataType.FP32, new long[] {-1, 384}),
        model.signature().output("embedding").orElseThrow());
    assertEquals("text", model.signature().text().input());
    assertEquals("embedding", model.signature().text().output());
  }

  @Test
  void tokenCountEqualsTheTokenizersCountSpecialTokensIncluded() {
    InferenceResponse r = model.infer(textRequest(List.of("embedding"), TEXTS));
    long expected = 0;
    for (String s : TEXTS) {
      expected += reference.encode(s).getIds().length;
    }
    assertEquals(expected, r.parameters().getLong("prompt_tokens"));
    assertFalse(r.parameters().containsKey("truncated_texts"));
    assertEquals(List.of("embedding"), r.outputs().stream().map(Tensor::name).toList());
    assertArrayEquals(new long[] {3, 384}, r.outputs().get(0).shape());
  }

  /** Mean pooling over the attention mask, then L2: computed here from the model's own token output. */
  @Test
  void embeddingIsTheMaskedMeanOfTheTokenOutputNormalised() {
    InferenceResponse r = model.infer(textRequest(List.of(), TEXTS));
    assertEquals(List.of("last_hidden_state", "embedding"), r.outputs().stream().map(Tensor::name).toList());
    Tensor hidden = r.outputs().get(0);
    float[] h = floats(hidden);
    float[] e = floats(r.outputs().get(1));
    int len = (int) hidden.shape()[1];
    for (int t = 0; t < TEXTS.length; t++) {
      int real = reference.encode(TEXTS[t]).getIds().length;
      double[] mean = new double[384];
      for (int k = 0; k < real; k++) {
        for (int d = 0; d < 384; d++) {
          mean[d] += h[(t * len + k) * 384 + d] / (double) real;
        }
      }
      double norm = Math.sqrt(java.util.Arrays.stream(mean).map(x -> x * x).sum());
      for (int d = 0; d < 384; d++) {
        assertEquals(mean[d] / norm, e[t * 384 + d], 1e-6, "text " + t + " dim " + d);
      }
    }
  }

  @Test
  void tokenInputsGiveTheSameEmbeddingAsText() {
    Encoding enc = reference.encode(TEXTS[0]);
    long n = enc.getIds().length;
    InferenceRequest tokens = new InferenceRequest("all-minilm-l6-v2", "1", "", List.of(
        int64("input_ids", enc.getIds(), 1, n),
        int64("attention_mask", enc.getAttentionMask(), 1, n),
        int64("token_type_ids", enc.getTypeIds(), 1, n)), List.of("embedding"), null);
    float[] fromTokens = floats(model.infer(tokens).outputs().get(0));
    float[] fromText = floats(model.infer(textRequest(List.of("embedding"), TEXTS[0])).outputs().get(0));
    assertArrayEquals(fromText, fromTokens, 1e-6f);
  }

  /** Each text runs on its own by default: its embedding never depends on the other texts. */
  @Test
  void aTextsEmbeddingDoesNotDependOnTheOtherTextsOfTheRequest() {
    float[] alone = floats(model.infer(textRequest(List.of("embedding"), TEXTS[2])).outputs().get(0));
    float[] batched = floats(model.infer(textRequest(List.of("embedding"), TEXTS)).outputs().get(0));
    assertArrayEquals(alone, java.util.Arrays.copyOfRange(batched, 2 * 384, 3 * 384), 1e-6f);
  }

  @Test
  void tokenOutputsOfTextsOfDifferentLengthsAreZeroPaddedToTheLongest() {
    InferenceResponse r = model.infer(textRequest(List.of("last_hidden_state"), TEXTS));
    Tensor hidden = r.outputs().get(0);
    int longest = 0;
    for (String s : TEXTS) {
      longest = Math.max(longest, reference.encode(s).getIds().length);
    }
    assertArrayEquals(new long[] {3, longest, 384}, hidden.shape());
    int helloTokens = reference.encode(TEXTS[2]).getIds().length;
    float[] h = floats(hidden);
    for (int k = helloTokens; k < longest; k++) {
      for (int d = 0; d < 384; d++) {
        assertEquals(0f, h[(2 * longest + k) * 384 + d]);
      }
    }
  }

  @Test
  void paddedBatchRunsTheTextsAsOneBatchPaddedToTheLongest() throws Exception {
    TextConfig padded = TextConfig.fromJson(new JsonObject().put("padded_batch", true));
    try (TextModel text = TextModel.create(padded, model.signature().inputs().subList(0, 3),
        model.signature().outputs().subList(0, 1), minilmDir().resolve("tokenizer.json"))) {
      TextRun run = text.prepare(textRequest(List.of(), TEXTS));
      assertEquals(1, run.parts().size());
      int longest = reference.encode(TEXTS[1]).getIds().length;
      Tensor ids = run.parts().get(0).inputs().get(0);
      assertEquals("input_ids", ids.name());
      assertArrayEquals(new long[] {3, longest}, ids.shape());
      long[] mask = run.parts().get(0).mask();
      int hello = reference.encode(TEXTS[2]).getIds().length;
      assertEquals(1, mask[2 * longest + hello - 1]);
      assertEquals(0, mask[2 * longest + hello]);
    }
  }

  @Test
  void longTextsAreTruncatedToMaxLengthAndSaySo() {
    String longText = "word ".repeat(400);
    InferenceResponse r = model.infer(textRequest(List.of("embedding"), longText, "short"));
    assertEquals(256 + reference.encode("short").getIds().length, r.parameters().getLong("prompt_tokens"));
    assertEquals(1, r.parameters().getInteger("truncated_texts"));
  }

  @Test
  void truncationOffRejectsLongTexts() throws Exception {
    TextConfig strict = TextConfig.fromJson(new JsonObject().put("max_length", 8).put("truncation", false));
    try (TextModel text = TextModel.create(strict, model.signature().inputs().subList(0, 3),
        model.signature().outputs().subList(0, 1), minilmDir().resolve("tokenizer.json"))) {
      MaasException e = assertThrows(MaasException.class,
          () -> text.prepare(textRequest(List.of(), "one two three four five six seven eight nine")));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains("over the model's maximum of 8"), e.getMessage());
      assertEquals(5, text.prepare(textRequest(List.of(), "one two three")).parameters().getLong("prompt_tokens"));
    }
  }

  static void assertInvalid(String expected, InferenceRequest request) {
    MaasException e = assertThrows(MaasException.class, () -> model.infer(request));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void badTextRequestsAreClearInvalidArguments() {
    assertInvalid("holds no text", new InferenceRequest("m", "", "", List.of(
        new Tensor("text", DataType.BYTES, new long[] {0}, new byte[0])), List.of(), null));
    byte[] notUtf8 = BytesElements.encode(List.of(new byte[] {'o', 'k'}, new byte[] {(byte) 0xC3, (byte) 0x28}));
    assertInvalid("text 1 is not valid UTF-8", new InferenceRequest("m", "", "", List.of(
        new Tensor("text", DataType.BYTES, new long[] {2}, notUtf8)), List.of(), null));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < TextConfig.DEFAULT_MAX_TEXTS + 1; i++) {
      many.add("t" + i);
    }
    assertInvalid("33 texts is over the limit of 32", textRequest(List.of(), many.toArray(String[]::new)));
    assertInvalid("over the limit of 65536", textRequest(List.of(), "x".repeat(65537)));
    assertInvalid("expected shape [-1]", new InferenceRequest("m", "", "", List.of(new Tensor("text", DataType.BYTES,
        new long[] {1, 1}, BytesElements.encodeStrings(List.of("a")))), List.of(), null));
    assertInvalid("expected datatype BYTES", new InferenceRequest("m", "", "", List.of(
        int64("text", new long[] {1}, 1)), List.of(), null));
    Encoding enc = reference.encode("hi");
    assertInvalid("send either the text or the token inputs, not both", new InferenceRequest("m", "", "", List.of(
        textRequest(List.of(), "hi").inputs().get(0), int64("input_ids", enc.getIds(), 1, enc.getIds().length)),
        List.of(), null));
    assertInvalid("or the text input 'text' alone", new InferenceRequest("m", "", "", List.of(
        int64("input_ids", enc.getIds(), 1, enc.getIds().length)), List.of(), null));
  }

  @Test
  void aModelWithoutTokenInputsCannotBeATextModel() throws Exception {
    TextConfig config = TextConfig.fromJson(new JsonObject());
    List<TensorSpec> in = List.of(new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 16}));
    List<TensorSpec> out = List.of(new TensorSpec("OUTPUT0", DataType.INT32, new long[] {-1, 16}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextModel.create(config, in, out, Files.createTempFile("tok", ".json")));
    assertTrue(e.getMessage().contains("no input 'input_ids'"), e.getMessage());
  }
}
