package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenAI-compatible embeddings API and V2 text inference on the real MiniLM, through a real node. */
@ExtendWith(SharedNode.class)
class EmbeddingsTest {
  static final String MODEL = "all-minilm-l6-v2";

  static RunningNode node;
  static HuggingFaceTokenizer tokenizer;

  @BeforeAll
  static void start(RunningNode shared) throws Exception {
    node = shared;
    tokenizer = HuggingFaceTokenizer.newInstance(node.repository().resolve(MODEL).resolve("tokenizer.json"),
        Map.of("padding", "false", "maxLength", "256", "modelMaxLength", "256"));
  }

  @AfterAll
  static void stop() {
    if (tokenizer != null) {
      tokenizer.close();
    }
  }

  static JsonObject embeddings(JsonObject body) throws Exception {
    HttpResponse<String> r = node.post("/v1/embeddings", body.encode());
    assertEquals(200, r.statusCode(), r.body());
    return RunningNode.json(r);
  }

  static JsonObject request(Object input) {
    return new JsonObject().put("model", MODEL).put("input", input);
  }

  static float[] vector(JsonObject data) {
    JsonArray a = data.getJsonArray("embedding");
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = ((Number) a.getValue(i)).floatValue();
    }
    return v;
  }

  static List<float[]> vectors(JsonObject response) {
    List<float[]> out = new ArrayList<>();
    JsonArray data = response.getJsonArray("data");
    for (int i = 0; i < data.size(); i++) {
      assertEquals(i, data.getJsonObject(i).getInteger("index"));
      assertEquals("embedding", data.getJsonObject(i).getString("object"));
      out.add(vector(data.getJsonObject(i)));
    }
    return out;
  }

  static double dot(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
    }
    return d;
  }

  static int tokens(String text) {
    return tokenizer.encode(text).getIds().length;
  }

  @Test
  void similarSentencesAreFarCloserThanUnrelatedOnes() throws Exception {
    JsonObject r = embeddings(request(new JsonArray().add("A man is eating food.")
        .add("A man is eating a piece of bread.").add("The girl is carrying a baby.").add("A man is riding a horse.")));
    assertEquals("list", r.getString("object"));
    assertEquals(MODEL, r.getString("model"));
    List<float[]> v = vectors(r);
    assertEquals(4, v.size());
    v.forEach(x -> assertEquals(1.0, Math.sqrt(dot(x, x)), 1e-5, "unit length"));
    double similar = dot(v.get(0), v.get(1));
    double unrelated = dot(v.get(2), v.get(3));
    assertTrue(similar > unrelated + 0.4, "similar " + similar + ", unrelated " + unrelated);
  }

  /** The vector equals mean pooling over the mask and L2 of a direct ORT run on the tokenizer's tokens. */
  @Test
  void vectorEqualsThePooledNormalisedOutputOfADirectOrtRunAndUsageCountsTheTokens() throws Exception {
    String text = "The quick brown fox jumps over the lazy dog.";
    JsonObject r = embeddings(request(text));
    float[] got = vectors(r).get(0);
    Encoding enc = tokenizer.encode(text);
    int n = enc.getIds().length;
    assertEquals(n, r.getJsonObject("usage").getInteger("prompt_tokens"));
    assertEquals(n, r.getJsonObject("usage").getInteger("total_tokens"));

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(TestRepository.minilmModel().toString(), new OrtSession.SessionOptions());
        OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {enc.getIds()});
        OnnxTensor mask = OnnxTensor.createTensor(env, new long[][] {enc.getAttentionMask()});
        OnnxTensor types = OnnxTensor.createTensor(env, new long[][] {enc.getTypeIds()});
        OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      float[][] hidden = ((float[][][]) result.get("last_hidden_state").orElseThrow().getValue())[0];
      double[] mean = new double[384];
      for (float[] token : hidden) {
        for (int d = 0; d < 384; d++) {
          mean[d] += token[d] / (double) n;
        }
      }
      double norm = Math.sqrt(Stream.of(mean).flatMapToDouble(java.util.Arrays::stream).map(x -> x * x).sum());
      double maxDiff = 0;
      for (int d = 0; d < 384; d++) {
        maxDiff = Math.max(maxDiff, Math.abs(mean[d] / norm - got[d]));
      }
      assertEquals(384, got.length);
      assertTrue(maxDiff <= 1e-5, "max abs difference " + maxDiff);
    }
  }

  @Test
  void usageSumsTheTokensOfEveryInput() throws Exception {
    List<String> texts = List.of("one", "two words", "Grüße aus Köln ✓");
    JsonObject r = embeddings(request(new JsonArray(texts)));
    int expected = texts.stream().mapToInt(EmbeddingsTest::tokens).sum();
    assertEquals(expected, r.getJsonObject("usage").getInteger("prompt_tokens"));
  }

  @Test
  void base64IsTheLittleEndianFloat32BytesOfTheFloatVector() throws Exception {
    JsonArray input = new JsonArray().add("hello world").add("base64 please");
    List<float[]> floats = vectors(embeddings(request(input)));
    JsonArray data = embeddings(request(input).put("encoding_format", "base64")).getJsonArray("data");
    for (int i = 0; i < 2; i++) {
      ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(data.getJsonObject(i).getString("embedding")))
          .order(ByteOrder.LITTLE_ENDIAN);
      float[] decoded = new float[b.remaining() / 4];
      b.asFloatBuffer().get(decoded);
      assertArrayEquals(floats.get(i), decoded);
    }
  }

  @Test
  void moreInputsThanOneModelRequestTakesAreSplitAndKeepTheirOrder() throws Exception {
    JsonArray input = new JsonArray();
    for (int i = 0; i < 70; i++) {
      input.add("sentence number " + i);
    }
    List<float[]> all = vectors(embeddings(request(input)));
    assertEquals(70, all.size());
    // the model batches (dynamic_batching): texts of one length share a session run, and MiniLM is
    // dynamically quantised (one scale per batch tensor), so a text's embedding in a batch is close to,
    // not equal to, its embedding alone; each must still be nearest to its own text's
    int[] picked = {0, 33, 69};
    List<float[]> alone = new ArrayList<>();
    for (int i : picked) {
      alone.add(vectors(embeddings(request("sentence number " + i))).get(0));
    }
    for (int k = 0; k < picked.length; k++) {
      double own = cosine(all.get(picked[k]), alone.get(k));
      assertTrue(own >= 0.98, "input " + picked[k] + ": cosine to its embedding alone " + own);
      for (int other = 0; other < picked.length; other++) {
        if (other != k) {
          assertTrue(own > cosine(all.get(picked[k]), alone.get(other)), "input " + picked[k] + " is in its place");
        }
      }
    }
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void kserveV2BytesInferOfTheTextModelGivesTheSameEmbedding() throws Exception {
    String text = "A man is eating food.";
    float[] openai = vectors(embeddings(request(text))).get(0);
    JsonObject body = new JsonObject()
        .put("inputs", new JsonArray().add(new JsonObject().put("name", "text").put("datatype", "BYTES")
            .put("shape", new JsonArray().add(1)).put("data", new JsonArray().add(text))))
        .put("outputs", new JsonArray().add(new JsonObject().put("name", "embedding")));
    HttpResponse<String> r = node.post("/v2/models/" + MODEL + "/infer", body.encode());
    assertEquals(200, r.statusCode(), r.body());
    JsonObject json = RunningNode.json(r);
    assertEquals(tokens(text), json.getJsonObject("parameters").getInteger("prompt_tokens"));
    JsonObject out = json.getJsonArray("outputs").getJsonObject(0);
    assertEquals("embedding", out.getString("name"));
    assertEquals(new JsonArray().add(1).add(384), out.getJsonArray("shape"));
    assertArrayEquals(openai, vector(new JsonObject().put("embedding", out.getJsonArray("data"))));
  }

  @Test
  void metadataListsTheTextInputAndThePooledOutputBesideTheTokenOnes() throws Exception {
    JsonObject meta = RunningNode.json(node.get("/v2/models/" + MODEL));
    assertEquals(List.of("input_ids", "attention_mask", "token_type_ids", "text"),
        meta.getJsonArray("inputs").stream().map(o -> ((JsonObject) o).getString("name")).toList());
    assertEquals(new JsonObject().put("name", "text").put("datatype", "BYTES").put("shape", new JsonArray().add(-1)),
        meta.getJsonArray("inputs").getJsonObject(3));
    assertEquals(new JsonObject().put("name", "embedding").put("datatype", "FP32")
        .put("shape", new JsonArray().add(-1).add(384)), meta.getJsonArray("outputs").getJsonObject(1));
  }

  @Test
  void aBearerTokenIsAcceptedAndNotChecked() throws Exception {
    HttpResponse<String> r = node.http.send(HttpRequest.newBuilder(node.uri("/v1/embeddings"))
        .header("Authorization", "Bearer sk-anything").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(request("hi").encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  static Stream<Arguments> badRequests() {
    String many = new JsonArray(java.util.Collections.nCopies(2049, "x")).encode();
    return Stream.of(
        Arguments.of("unknown model", "{\"model\":\"nope\",\"input\":\"hi\"}", 404, "invalid_request_error",
            "model_not_found", "unknown model 'nope'"),
        Arguments.of("model without a text section", "{\"model\":\"simple\",\"input\":\"hi\"}", 400,
            "invalid_request_error", "invalid_argument", "no text section"),
        Arguments.of("unknown encoding_format", "{\"model\":\"" + MODEL + "\",\"input\":\"hi\",\"encoding_format\":\"int8\"}",
            400, "invalid_request_error", "invalid_argument", "unknown encoding_format 'int8'"),
        Arguments.of("token arrays", "{\"model\":\"" + MODEL + "\",\"input\":[[101,102]]}", 400,
            "invalid_request_error", "invalid_argument", "text only"),
        Arguments.of("empty input array", "{\"model\":\"" + MODEL + "\",\"input\":[]}", 400,
            "invalid_request_error", "invalid_argument", "empty array"),
        Arguments.of("empty string", "{\"model\":\"" + MODEL + "\",\"input\":\"\"}", 400,
            "invalid_request_error", "invalid_argument", "empty string"),
        Arguments.of("no input", "{\"model\":\"" + MODEL + "\"}", 400, "invalid_request_error", "invalid_argument",
            "'input' is required"),
        Arguments.of("no model", "{\"input\":\"hi\"}", 400, "invalid_request_error", "invalid_argument",
            "'model' is required"),
        Arguments.of("too many inputs", "{\"model\":\"" + MODEL + "\",\"input\":" + many + "}", 400,
            "invalid_request_error", "invalid_argument", "over the limit of 2048"),
        Arguments.of("input over the byte limit", request("x".repeat(65537)).encode(), 400,
            "invalid_request_error", "invalid_argument", "over the limit of 65536"),
        Arguments.of("other dimensions", request("hi").put("dimensions", 128).encode(), 400,
            "invalid_request_error", "invalid_argument", "gives 384 dimensions, not 128"),
        Arguments.of("malformed JSON", "{\"model\":", 400, "invalid_request_error", "invalid_argument", "malformed JSON"),
        Arguments.of("body over the size limit", request("x".repeat((int) RunningNode.MAX_BODY_BYTES)).encode(), 413,
            "invalid_request_error", "payload_too_large", "size limit"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badRequestsGetOpenAiErrorsAndTheNodeKeepsServing(String name, String body, int status, String type,
      String code, String message) throws Exception {
    HttpResponse<String> r = node.post("/v1/embeddings", body);
    assertEquals(status, r.statusCode(), r.body());
    JsonObject error = RunningNode.json(r).getJsonObject("error");
    assertEquals(type, error.getString("type"), r.body());
    assertEquals(code, error.getString("code"), r.body());
    assertTrue(error.getString("message").contains(message), r.body());
    assertEquals(1, embeddings(request("still serving")).getJsonArray("data").size());
  }

  @Test
  void getIsMethodNotAllowedInTheOpenAiShape() throws Exception {
    HttpResponse<String> r = node.get("/v1/embeddings");
    assertEquals(405, r.statusCode(), r.body());
    assertEquals("invalid_request_error", RunningNode.json(r).getJsonObject("error").getString("type"));
  }

  @Test
  void v2TextErrorsAreClear() throws Exception {
    String path = "/v2/models/" + MODEL + "/infer";
    HttpResponse<String> empty = node.post(path,
        "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[0],\"data\":[]}]}");
    assertEquals(400, empty.statusCode(), empty.body());
    assertTrue(empty.body().contains("holds no text"), empty.body());
    HttpResponse<String> both = node.post(path, "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],"
        + "\"data\":[\"hi\"]},{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,1],\"data\":[101]}]}");
    assertEquals(400, both.statusCode(), both.body());
    assertTrue(both.body().contains("not both"), both.body());
  }

}
