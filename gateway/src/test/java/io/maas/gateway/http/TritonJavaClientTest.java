package io.maas.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maas.config.MaasConfig;
import io.maas.config.TenancyConfig;
import io.maas.gateway.RunningNode;
import io.maas.gateway.TestRepository;
import io.maas.node.MaasNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import triton.client.InferInput;
import triton.client.InferRequestedOutput;
import triton.client.InferResult;
import triton.client.InferenceException;
import triton.client.InferenceServerClient;
import triton.client.InferenceServerClient.InferArguments;
import triton.client.pojo.DataType;

/**
 * Triton's own Java HTTP client ({@code org.wyona.triton.client:java-api}) against a node with API keys on (the client
 * sends the key as a header of each call). Its one call is infer (it has no health or metadata call): answers are read
 * whether the tensors go as JSON or binary, and every error reaches the caller as the node's own message. The client
 * reads error bodies strictly (Jackson, unknown fields fail): before KServe's errors were exactly
 * {@code {"error": "..."}} it reported "Malformed error response" for each.
 */
class TritonJavaClientTest {
  private static final String ADMIN = "triton-admin-token";

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static InferenceServerClient client;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    MaasConfig c = RunningNode.config(TestRepository.create(dir.resolve("repo")), "maas-triton-" + UUID.randomUUID());
    node = new RunningNode(new MaasConfig(c.gateway(), c.worker(), c.cluster(),
        new TenancyConfig(true, "127.0.0.1", 0, ADMIN, dir.resolve("data"))), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    key = createKey("{\"models\": [\"simple\", \"affine_fp32\"]}");
    client = new InferenceServerClient("127.0.0.1:" + node.node.httpPort(), 5000, 20_000);
    client.setRetryCnt(1); // the least it takes: each failure is sent twice
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    node.close();
  }

  @Test
  void simpleAddsAndSubtractsWithJsonAndBinaryTensors() throws Exception {
    int[] x = IntStream.range(0, 16).toArray();
    int[] ones = IntStream.generate(() -> 1).limit(16).toArray();
    InferInput input0 = ints("INPUT0", new long[] {1, 16}, x, false);
    InferInput input1 = ints("INPUT1", new long[] {1, 16}, ones, true);
    InferResult result = client.infer(withKey(new InferArguments("simple", List.of(input0, input1), List.of(
        new InferRequestedOutput("OUTPUT0", false), new InferRequestedOutput("OUTPUT1", true)))));
    assertArrayEquals(IntStream.range(1, 17).toArray(), result.getOutputAsInt("OUTPUT0"));
    assertArrayEquals(IntStream.range(-1, 15).toArray(), result.getOutputAsInt("OUTPUT1"));
  }

  @Test
  void affineAnswersBinaryOutputsByDefault() throws Exception {
    InferInput input = new InferInput("INPUT0", new long[] {2, 4}, DataType.FP32);
    input.setData(new float[] {1, 2, 3, 4, 0.5f, 0.25f, 0.125f, -1}, true);
    // no outputs named: the client asks for every output as binary data (binary_data_output)
    InferResult result = client.infer(withKey(new InferArguments("affine_fp32", input)).setRequestId("t-1"));
    assertArrayEquals(new float[] {-9.75f, 28.5f, 5.53125f, -10.0f}, result.getOutputAsFloat("OUTPUT0"));
  }

  @Test
  void anUnknownModelReachesTheCallerAsTheNodesMessage() {
    assertRefused("unknown model 'nope'", withKey(new InferArguments("nope",
        ints("INPUT0", new long[] {1, 16}, new int[16], false))));
  }

  @Test
  void aWrongShapeReachesTheCallerAsTheNodesMessage() {
    assertRefused("input 'INPUT0': expected shape [-1, 16], got [1, 15] (-1 is any size)",
        withKey(new InferArguments("simple", ints("INPUT0", new long[] {1, 15}, new int[15], false),
            ints("INPUT1", new long[] {1, 16}, new int[16], false))));
  }

  @Test
  void aWrongDatatypeReachesTheCallerAsTheNodesMessage() {
    InferInput floats = new InferInput("INPUT0", new long[] {1, 16}, DataType.FP32);
    floats.setData(new float[16], true);
    assertRefused("input 'INPUT0': expected datatype INT32, got FP32",
        withKey(new InferArguments("simple", floats, ints("INPUT1", new long[] {1, 16}, new int[16], true))));
  }

  @Test
  void aMissingInputReachesTheCallerAsTheNodesMessage() {
    assertRefused("missing input 'INPUT1' for model 'simple'; its inputs are [INPUT0, INPUT1]",
        withKey(new InferArguments("simple", ints("INPUT0", new long[] {1, 16}, new int[16], false))));
  }

  @Test
  void keyRefusalsReachTheCallerAsTheNodesMessages() {
    InferInput input = ints("INPUT0", new long[] {1, 16}, new int[16], false);
    assertRefused("invalid API key", new InferArguments("simple", input)
        .setHeader("Authorization", "Bearer maas_000000000000_" + "A".repeat(43)));
    assertRefused("API key maas_" + key.split("_")[1] + " may not use model 'all-minilm-l6-v2'",
        withKey(new InferArguments("all-minilm-l6-v2", input)));
  }

  @Test
  void theClientRefusesAnErrorBodyWithAnyFieldBesideError() {
    // why KServe's error bodies hold the message alone: the client's own parser, on the body maas wrote before
    assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> triton.client.Util.fromJson(
        "{\"error\":\"unknown model 'nope'\",\"code\":\"NOT_FOUND\"}", triton.client.pojo.ResponseError.class));
  }

  /** The client retries, then throws its own exception whose cause carries the error body's message. */
  private static void assertRefused(String message, InferArguments call) {
    InferenceException e = assertThrows(InferenceException.class, () -> client.infer(call));
    assertEquals(InferenceException.class, e.getCause().getClass(), e.toString());
    assertEquals(message, e.getCause().getMessage());
  }

  private static InferArguments withKey(InferArguments call) {
    return call.setHeader("Authorization", "Bearer " + key);
  }

  private static InferInput ints(String name, long[] shape, int[] data, boolean binary) {
    InferInput input = new InferInput(name, shape, DataType.INT32);
    input.setData(data, binary);
    return input;
  }

  private static String createKey(String body) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.gateway().adminPort() + "/admin/keys"))
        .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
    return new JsonObject(r.body()).getString("key");
  }
}
