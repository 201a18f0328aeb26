package io.maas.gateway.grpc;

import static io.maas.gateway.grpc.GrpcClient.filled;
import static io.maas.gateway.grpc.GrpcClient.input;
import static io.maas.gateway.grpc.GrpcClient.ints;
import static io.maas.gateway.grpc.GrpcClient.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.maas.config.MaasConfig;
import io.maas.config.TenancyConfig;
import io.maas.gateway.RunningNode;
import io.maas.gateway.TestRepository;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpc;
import io.maas.gateway.grpc.v2.InferParameter;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.node.MaasNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A strictly configured grpc-java client against a node with API keys on: inbound metadata limited to 2 KB (a
 * quarter of grpc-java's default: every status, its message and its trailers must fit), inbound messages to 64 KB, no
 * retries; each error path must reach it with its exact status and its exact message (decoded from grpc-message):
 * a wrong shape, an unknown model (with '%' and non-ASCII in its name, and one of 8,000 characters), a missing,
 * invalid or forbidden API key, a spent rate limit, and a passed deadline (the request's KServe {@code timeout}, a
 * message with 'µ').
 */
class StrictGrpcClientTest {
  private static final String ADMIN = "strict-admin-token";
  private static final int MAX_METADATA = 2048;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static ManagedChannel channel;
  private static String simpleOnly;

  @BeforeAll
  static void start() throws Exception {
    MaasConfig c = RunningNode.config(TestRepository.create(dir.resolve("repo")), "maas-strict-" + UUID.randomUUID());
    node = new RunningNode(new MaasConfig(c.gateway(), c.worker(), c.cluster(),
        new TenancyConfig(true, "127.0.0.1", 0, ADMIN, dir.resolve("data"))), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext()
        .maxInboundMetadataSize(MAX_METADATA)
        .maxInboundMessageSize(64 * 1024)
        .disableRetry()
        .build();
    simpleOnly = createKey("{\"models\": [\"simple\"], \"rate_per_second\": 1000, \"burst\": 1000}");
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    node.close();
  }

  @Test
  void aGoodCallIsAnswered() {
    assertEquals(ints(range(1, 16)), stub(simpleOnly).modelInfer(GrpcClient.simpleTyped("ok")).getOutputs(0).getContents());
  }

  @Test
  void aWrongShapeIsInvalidArgumentWithItsMessage() {
    ModelInferRequest wrong = ModelInferRequest.newBuilder().setModelName("simple")
        .addInputs(input("INPUT0", "INT32", 1, 15).setContents(ints(range(0, 15))))
        .addInputs(input("INPUT1", "INT32", 1, 16).setContents(ints(filled(1, 16))))
        .build();
    assertStatus(Status.Code.INVALID_ARGUMENT,
        "input 'INPUT0': expected shape [-1, 16], got [1, 15] (-1 is any size)", () -> stub(simpleOnly).modelInfer(wrong));
  }

  @Test
  void anUnknownModelIsNotFoundWithItsNameAsSent() {
    String all = createKey("{}");
    assertStatus(Status.Code.NOT_FOUND, "unknown model 'naïve 100% [x]: y'",
        () -> stub(all).modelInfer(ModelInferRequest.newBuilder().setModelName("naïve 100% [x]: y").build()));
    String huge = "é".repeat(8000);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> stub(all).modelInfer(ModelInferRequest.newBuilder().setModelName(huge).build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), "the cut message fits 2 KB of metadata: " + e);
    String description = e.getStatus().getDescription();
    assertTrue(description.startsWith("unknown model 'éééé") && description.endsWith("... (8016 characters)"),
        description.substring(0, 40));
  }

  @Test
  void aMissingOrInvalidKeyIsUnauthenticated() {
    assertStatus(Status.Code.UNAUTHENTICATED,
        "missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
        () -> GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
            .modelInfer(GrpcClient.simpleTyped("x")));
    assertStatus(Status.Code.UNAUTHENTICATED, "invalid API key",
        () -> stub("maas_000000000000_" + "A".repeat(43)).modelInfer(GrpcClient.simpleTyped("x")));
  }

  @Test
  void aModelTheKeyMayNotUseIsPermissionDenied() {
    String id = simpleOnly.split("_")[1];
    assertStatus(Status.Code.PERMISSION_DENIED, "API key maas_" + id + " may not use model 'affine_fp32'",
        () -> stub(simpleOnly).modelInfer(ModelInferRequest.newBuilder().setModelName("affine_fp32").build()));
  }

  @Test
  void aSpentRateLimitIsResourceExhaustedWithItsTrailersWithinTheLimit() {
    String slow = createKey("{\"models\": [\"simple\"], \"rate_per_second\": 0.01, \"burst\": 1}");
    stub(slow).modelInfer(GrpcClient.simpleTyped("first"));
    String id = slow.split("_")[1];
    assertStatus(Status.Code.RESOURCE_EXHAUSTED,
        "rate limit of 0.01 requests/s (burst 1) exceeded for API key maas_" + id + " (rate_limited)",
        () -> stub(slow).modelInfer(GrpcClient.simpleTyped("second")));
  }

  @Test
  void aPassedDeadlineIsDeadlineExceededWithItsMessage() {
    ModelInferRequest due = GrpcClient.simpleTyped("due").toBuilder()
        .putParameters("timeout", InferParameter.newBuilder().setInt64Param(1).build()).build();
    assertStatus(Status.Code.DEADLINE_EXCEEDED, "the request's deadline of 1 µs passed before a worker answered",
        () -> stub(simpleOnly).modelInfer(due));
  }

  private static void assertStatus(Status.Code code, String description, Supplier<?> call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
    assertEquals(code, e.getStatus().getCode(), e.toString());
    assertEquals(description, e.getStatus().getDescription());
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub(String key) {
    Metadata auth = new Metadata();
    auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  private static String createKey(String body) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + node.gateway().adminPort() + "/admin/keys"))
          .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(201, r.statusCode(), r.body());
      return new JsonObject(r.body()).getString("key");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
