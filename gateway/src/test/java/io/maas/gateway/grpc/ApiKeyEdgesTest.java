package io.maas.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.maas.config.MaasConfig;
import io.maas.config.TenancyConfig;
import io.maas.gateway.RunningNode;
import io.maas.gateway.TestRepository;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpc;
import io.maas.gateway.grpc.v2.ModelConfigRequest;
import io.maas.gateway.grpc.v2.ModelStatisticsRequest;
import io.maas.gateway.grpc.v2.RepositoryIndexRequest;
import io.maas.gateway.grpc.v2.RepositoryModelLoadRequest;
import io.maas.gateway.grpc.v2.RepositoryModelUnloadRequest;
import io.maas.gateway.grpc.v2.ServerLiveRequest;
import io.maas.node.MaasNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * API keys on a real standalone node with keys on: 401 / UNAUTHENTICATED, 403 / PERMISSION_DENIED and
 * 429 / RESOURCE_EXHAUSTED with their headers and trailers on REST and gRPC, usage through the admin API,
 * the first-start key file, and no secret in any log line of the run.
 */
class ApiKeyEdgesTest {
  private static final String ADMIN = "edges-admin-token";
  private static final String SIMPLE_BODY = """
      {"inputs": [
        {"name": "INPUT0", "shape": [1, 16], "datatype": "INT32", "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
        {"name": "INPUT1", "shape": [1, 16], "datatype": "INT32", "data": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  private static final List<String> SECRETS = new ArrayList<>();

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static GrpcClient grpc;

  @BeforeAll
  static void start() throws Exception {
    LOGS.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
    MaasConfig c = RunningNode.config(TestRepository.create(dir.resolve("repo")), "maas-keys-" + UUID.randomUUID());
    node = new RunningNode(new MaasConfig(c.gateway(), c.worker(), c.cluster(),
        new TenancyConfig(true, "127.0.0.1", 0, ADMIN, dir.resolve("data"))), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    grpc = new GrpcClient(node.grpcPort());
  }

  @AfterAll
  static void stop() {
    grpc.close();
    node.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder rest(String path) {
    return HttpRequest.newBuilder(node.uri(path)).header("Content-Type", "application/json");
  }

  private static HttpResponse<String> infer(String model, String key) throws Exception {
    HttpRequest.Builder b = rest("/v2/models/" + model + "/infer").POST(HttpRequest.BodyPublishers.ofString(
        model.equals("simple") ? SIMPLE_BODY : """
            {"inputs": [{"name": "INPUT0", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}"""));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b);
  }

  private static HttpRequest.Builder admin(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.gateway().adminPort() + path))
        .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json");
  }

  private static HttpResponse<String> repository(String model, String op, String token) throws Exception {
    HttpRequest.Builder b = rest("/v2/repository/models/" + model + "/" + op).POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b);
  }

  private static JsonObject usage(String key) throws Exception {
    return new JsonObject(send(admin("/admin/keys/" + key.split("_")[1] + "/usage").GET()).body()).getJsonObject("usage");
  }

  @Test
  void loadingAndUnloadingModelsTakesTheAdminTokenAndRefusesKeysWithoutTheRepositoryScope() throws Exception {
    String key = createKey("{}");
    HttpResponse<String> byKey = repository("simple", "load", key);
    assertEquals(403, byKey.statusCode(), byKey.body());
    assertEquals("PERMISSION_DENIED", byKey.headers().firstValue("X-Maas-Error-Code").orElse(""));
    assertTrue(byKey.body().contains("'repository' scope") && byKey.body().contains("admin token"), byKey.body());
    HttpResponse<String> byNobody = repository("simple", "unload", null);
    assertEquals(401, byNobody.statusCode(), byNobody.body());
    HttpResponse<String> byAdmin = repository("simple", "load", ADMIN);
    assertEquals(200, byAdmin.statusCode(), byAdmin.body());
    // the admin token is no API key: it runs no inference
    HttpResponse<String> inferByAdmin = infer("simple", ADMIN);
    assertEquals(401, inferByAdmin.statusCode(), inferByAdmin.body());
    assertEquals(200, infer("simple", key).statusCode(), "a default key infers");
  }

  /** identity_int32 is this test's own: no other test here calls it, so unloading it disturbs none. */
  @Test
  void aKeyWithOnlyTheRepositoryScopeLoadsAndUnloadsUnmeteredButMayNotInferOnAnyEdge() throws Exception {
    // a limit that a metered call would exhaust at once: one token, refilled in 100 s
    HttpResponse<String> created = send(admin("/admin/keys").POST(HttpRequest.BodyPublishers.ofString(
        "{\"scopes\": [\"repository\"], \"rate_per_second\": 0.01, \"burst\": 1}")));
    assertEquals(201, created.statusCode(), created.body());
    assertEquals(List.of("repository"), new JsonObject(created.body()).getJsonArray("scopes").getList());
    String ops = new JsonObject(created.body()).getString("key");
    SECRETS.add(ops);
    String inferer = createKey("{}");
    String identity = """
        {"inputs": [{"name": "INPUT0", "shape": [1, 3], "datatype": "INT32", "data": [1, 2, 3]}]}""";

    assertEquals(200, repository("identity_int32", "unload", ops).statusCode());
    HttpResponse<String> unloaded = send(rest("/v2/models/identity_int32/infer").header("Authorization", "Bearer " + inferer)
        .POST(HttpRequest.BodyPublishers.ofString(identity)));
    assertEquals(503, unloaded.statusCode(), "the key's unload took effect: " + unloaded.body());
    HttpResponse<String> load = repository("identity_int32", "load", ops);
    assertEquals(200, load.statusCode(), load.body());
    assertEquals(200, send(rest("/v2/models/identity_int32/infer").header("Authorization", "Bearer " + inferer)
        .POST(HttpRequest.BodyPublishers.ofString(identity))).statusCode(), "the key's load took effect");

    HttpResponse<String> v2 = infer("simple", ops);
    assertEquals(403, v2.statusCode(), v2.body());
    assertEquals("PERMISSION_DENIED", v2.headers().firstValue("X-Maas-Error-Code").orElse(""));
    assertTrue(v2.body().contains("lacks the 'infer' scope"), v2.body());
    StatusRuntimeException grpcDenied = assertThrows(StatusRuntimeException.class,
        () -> stub("authorization", "Bearer " + ops).modelInfer(GrpcClient.simpleTyped("scopes")));
    assertEquals(Status.Code.PERMISSION_DENIED, grpcDenied.getStatus().getCode());
    assertTrue(grpcDenied.getStatus().getDescription().contains("'infer' scope"), grpcDenied.getStatus().toString());
    String[][] others = {
        {"/v1/models/affine_fp32:predict", "{\"instances\": [[1, 2, 3, 4]]}"},
        {"/affine_fp32/predict", "{\"INPUT0\": [[1, 2, 3, 4]]}"},
        {"/v1/embeddings", "{\"model\": \"all-minilm-l6-v2\", \"input\": \"hello\"}"}};
    for (String[] call : others) {
      HttpResponse<String> r = send(rest(call[0]).header("Authorization", "Bearer " + ops)
          .POST(HttpRequest.BodyPublishers.ofString(call[1])));
      assertEquals(403, r.statusCode(), call[0] + ": " + r.body());
      assertTrue(r.body().contains("'infer' scope"), call[0] + ": " + r.body());
    }

    // the two repository calls took no token (a second would have been refused) and count no request
    JsonObject used = usage(ops);
    assertEquals(5L, used.getLong("requests"), used.encode());
    assertEquals(0L, used.getLong("successes"), used.encode());
    assertEquals(5L, used.getJsonObject("failures").getLong("permission_denied"), used.encode());
  }

  @Test
  void aKeyWithBothScopesInfersAndManagesTheRepositoryAndAPatchChangesWhatAKeyMay() throws Exception {
    String both = createKey("{\"scopes\": [\"infer\", \"repository\"]}");
    assertEquals(200, repository("simple", "load", both).statusCode());
    assertEquals(200, infer("simple", both).statusCode());

    String key = createKey("{}");
    String id = key.split("_")[1];
    HttpResponse<String> shown = send(admin("/admin/keys/" + id).GET());
    assertEquals(List.of("infer"), new JsonObject(shown.body()).getJsonArray("scopes").getList(), "the default");
    HttpResponse<String> patched = send(admin("/admin/keys/" + id).method("PATCH",
        HttpRequest.BodyPublishers.ofString("{\"scopes\": [\"repository\", \"infer\"]}")));
    assertEquals(200, patched.statusCode(), patched.body());
    assertEquals(List.of("infer", "repository"), new JsonObject(patched.body()).getJsonArray("scopes").getList());
    // the change reaches this gateway's view through the key map's event
    io.maas.gateway.cluster.Poll.until(Duration.ofSeconds(5), "the patched key loads a model",
        () -> {
          try {
            return repository("simple", "load", key).statusCode() == 200;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    assertTrue(send(admin("/admin/keys").GET()).body().contains("\"repository\""), "the listing shows it");

    HttpResponse<String> unknown = send(admin("/admin/keys/" + id).method("PATCH",
        HttpRequest.BodyPublishers.ofString("{\"scopes\": [\"admin\"]}")));
    assertEquals(400, unknown.statusCode(), unknown.body());
    assertEquals("unknown scope 'admin': the scopes are infer, repository", new JsonObject(unknown.body()).getString("error"));
    HttpResponse<String> badCreate = send(admin("/admin/keys").POST(HttpRequest.BodyPublishers.ofString(
        "{\"scopes\": [\"infer\", \"everything\"]}")));
    assertEquals(400, badCreate.statusCode(), badCreate.body());
    assertTrue(badCreate.body().contains("infer, repository"), badCreate.body());
  }

  @Test
  void grpcRepositoryLoadAndUnloadTakeTheAdminTokenAndRefuseApiKeys() throws Exception {
    String key = createKey("{}");
    RepositoryModelLoadRequest load = RepositoryModelLoadRequest.newBuilder().setModelName("simple").build();
    RepositoryModelUnloadRequest unload = RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build();
    StatusRuntimeException byKey = assertThrows(StatusRuntimeException.class,
        () -> stub("authorization", "Bearer " + key).repositoryModelLoad(load));
    assertEquals(Status.Code.PERMISSION_DENIED, byKey.getStatus().getCode());
    assertTrue(byKey.getStatus().getDescription().contains("admin token"), byKey.getStatus().getDescription());
    assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(StatusRuntimeException.class,
        () -> stub("x-api-key", key).repositoryModelUnload(unload)).getStatus().getCode());
    assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
        () -> grpc.blocking().repositoryModelUnload(unload)).getStatus().getCode());
    stub("authorization", "Bearer " + ADMIN).repositoryModelLoad(load);

    // the reading RPCs take API keys, as ModelMetadata does; the admin token is accepted by load and unload only
    var config = ModelConfigRequest.newBuilder().setName("simple").build();
    assertEquals("simple", stub("authorization", "Bearer " + key).modelConfig(config).getConfig().getName());
    assertTrue(stub("x-api-key", key).repositoryIndex(RepositoryIndexRequest.getDefaultInstance()).getModelsCount() > 0);
    assertEquals("simple", stub("x-api-key", key).modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple")
        .build()).getModelStats(0).getName());
    assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
        () -> stub("authorization", "Bearer " + ADMIN).modelConfig(config)).getStatus().getCode());
    assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
        () -> grpc.blocking().repositoryIndex(RepositoryIndexRequest.getDefaultInstance())).getStatus().getCode());
    assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
        () -> grpc.blocking().modelStatistics(ModelStatisticsRequest.getDefaultInstance())).getStatus().getCode());
  }

  private static String createKey(String body) throws Exception {
    HttpResponse<String> r = send(admin("/admin/keys").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(201, r.statusCode(), r.body());
    String key = new JsonObject(r.body()).getString("key");
    assertTrue(key.matches("maas_[a-z0-9]{12}_[A-Za-z0-9_-]{43}"), "key format");
    SECRETS.add(key);
    return key;
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub(String header, String value) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER), value);
    return GRPCInferenceServiceGrpc.newBlockingStub(grpc.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private static String trailer(StatusRuntimeException e, String name) {
    return e.getTrailers() == null ? null : e.getTrailers().get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
  }

  @Test
  void restWithoutAValidKeyIs401WithWwwAuthenticateButHealthStaysOpen() throws Exception {
    HttpResponse<String> none = infer("simple", null);
    assertEquals(401, none.statusCode(), none.body());
    assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals(401, infer("simple", "maas_abcdefgh1234_nope").statusCode());
    assertEquals(401, infer("simple", "garbage").statusCode());
    assertEquals(401, send(rest("/v2/models/simple").GET()).statusCode(), "metadata needs a key");
    assertEquals(200, send(rest("/v2/health/ready").GET()).statusCode());
    assertEquals(200, send(rest("/v2/health/live").GET()).statusCode());
    String key = createKey("{\"expires_at\": 1}");
    HttpResponse<String> expired = infer("simple", key);
    assertEquals(401, expired.statusCode());
    assertTrue(expired.body().contains("expired"), expired.body());
    assertFalse(expired.body().contains(key.substring(18)), "no secret in an error");
  }

  @Test
  void statisticsNeedAKeyAsMetadataDoesButMetricsOnTheAdminPortNeedNone() throws Exception {
    assertEquals(401, send(rest("/v2/models/stats").GET()).statusCode());
    assertEquals(401, send(rest("/v2/models/simple/stats").GET()).statusCode());
    assertEquals(401, send(rest("/v2/models/simple/versions/1/stats").GET()).statusCode());
    String key = createKey("{\"models\": [\"simple\"]}");
    HttpResponse<String> stats = send(rest("/v2/models/simple/stats").header("Authorization", "Bearer " + key).GET());
    assertEquals(200, stats.statusCode(), stats.body());
    assertEquals("simple", new JsonObject(stats.body()).getJsonArray("model_stats").getJsonObject(0).getString("name"));
    HttpResponse<String> metrics = send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.gateway().adminPort() + "/metrics")).GET());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("maas_inference_queue_depth{"), "worker families on the admin port");
    assertFalse(metrics.body().contains(key.substring(18)), "no secret in a metric");
    HttpResponse<String> keysWithoutToken = send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.gateway().adminPort() + "/admin/keys")).GET());
    assertEquals(401, keysWithoutToken.statusCode(), "the key API still needs the admin token");
  }

  @Test
  void restWithAKeyServesWithRateLimitHeadersAndRefusesOtherModelsWith403() throws Exception {
    String key = createKey("{\"models\": [\"simple\"], \"rate_per_second\": 100, \"burst\": 50}");
    HttpResponse<String> ok = infer("simple", key);
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(ok.headers().firstValue("RateLimit-Remaining").isPresent(), ok.headers().toString());
    HttpResponse<String> viaHeader = send(rest("/v2/models/simple").header("X-API-Key", key).GET());
    assertEquals(200, viaHeader.statusCode(), viaHeader.body());
    HttpResponse<String> forbidden = infer("affine_fp32", key);
    assertEquals(403, forbidden.statusCode(), forbidden.body());
    assertEquals("PERMISSION_DENIED", forbidden.headers().firstValue("X-Maas-Error-Code").orElse(""));
  }

  @Test
  void restOverTheRateIs429WithRetryAfterAndRateLimitFieldsAndAQuotaIsToldApart() throws Exception {
    String key = createKey("{\"rate_per_second\": 0.5, \"burst\": 2}");
    assertEquals(200, infer("simple", key).statusCode());
    assertEquals(200, infer("simple", key).statusCode());
    HttpResponse<String> limited = infer("simple", key);
    assertEquals(429, limited.statusCode(), limited.body());
    assertTrue(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()) >= 1);
    assertEquals("2", limited.headers().firstValue("RateLimit-Limit").orElseThrow());
    assertEquals("0", limited.headers().firstValue("RateLimit-Remaining").orElseThrow());
    assertTrue(limited.headers().firstValue("RateLimit-Reset").isPresent());
    assertEquals("2;w=4", limited.headers().firstValue("RateLimit-Policy").orElseThrow());
    assertTrue(limited.body().contains("rate_limited"), limited.body());

    String quota = createKey("{\"rate_per_second\": 100, \"burst\": 100, \"daily_quota\": 1}");
    assertEquals(200, infer("simple", quota).statusCode());
    HttpResponse<String> exhausted = infer("simple", quota);
    assertEquals(429, exhausted.statusCode());
    assertTrue(exhausted.body().contains("quota_exhausted") && exhausted.body().contains("daily quota"), exhausted.body());

    JsonObject usage = new JsonObject(send(admin("/admin/keys/" + quota.split("_")[1] + "/usage").GET()).body())
        .getJsonObject("usage");
    assertEquals(2L, usage.getLong("requests"), usage.encode());
    assertEquals(1L, usage.getLong("successes"), usage.encode());
    assertEquals(1L, usage.getLong("inferences"), usage.encode());
    assertEquals(1L, usage.getJsonObject("failures").getLong("quota_exhausted"), usage.encode());
  }

  @Test
  void grpcChecksKeysInMetadataWithTheSameStatusesAndTrailers() throws Exception {
    assertTrue(grpc.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive(), "health stays open");
    StatusRuntimeException none = assertThrows(StatusRuntimeException.class,
        () -> grpc.blocking().modelInfer(GrpcClient.simpleTyped("a")));
    assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());

    String key = createKey("{\"models\": [\"simple\"], \"rate_per_second\": 0.5, \"burst\": 2}");
    java.util.concurrent.atomic.AtomicReference<Metadata> headers = new java.util.concurrent.atomic.AtomicReference<>();
    assertEquals(16, stub("authorization", "Bearer " + key)
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, new java.util.concurrent.atomic.AtomicReference<>()))
        .modelInfer(GrpcClient.simpleTyped("b")).getOutputs(0).getContents().getIntContentsCount());
    assertEquals("1", headers.get().get(Metadata.Key.of("ratelimit-remaining", Metadata.ASCII_STRING_MARSHALLER)),
        "a success carries ratelimit-remaining");
    assertEquals(16, stub("x-api-key", key).modelInfer(GrpcClient.simpleTyped("c")).getOutputs(0)
        .getContents().getIntContentsCount());
    StatusRuntimeException limited = assertThrows(StatusRuntimeException.class,
        () -> stub("x-api-key", key).modelInfer(GrpcClient.simpleTyped("d")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, limited.getStatus().getCode());
    assertEquals("2", trailer(limited, "ratelimit-limit"));
    assertEquals("0", trailer(limited, "ratelimit-remaining"));
    assertTrue(Long.parseLong(trailer(limited, "retry-after")) >= 1);
    assertTrue(trailer(limited, "ratelimit-reset") != null && trailer(limited, "ratelimit-policy") != null);

    StatusRuntimeException forbidden = assertThrows(StatusRuntimeException.class, () -> stub("x-api-key", key)
        .modelInfer(GrpcClient.simpleTyped("e").toBuilder().setModelName("affine_fp32").build()));
    assertEquals(Status.Code.PERMISSION_DENIED, forbidden.getStatus().getCode());
  }

  @Test
  void openAiEmbeddingsTakeTheBearerFormAndAnswer401InTheirOwnErrorShape() throws Exception {
    HttpRequest.Builder none = rest("/v1/embeddings").POST(HttpRequest.BodyPublishers.ofString(
        "{\"model\": \"simple\", \"input\": \"hello\"}"));
    HttpResponse<String> refused = send(none);
    assertEquals(401, refused.statusCode(), refused.body());
    assertEquals("Bearer", refused.headers().firstValue("WWW-Authenticate").orElse(""));
    assertTrue(new JsonObject(refused.body()).containsKey("error"), refused.body());
    String key = createKey("{}");
    // past the key check: `simple` is no text model, a 400 from the embeddings API itself
    HttpResponse<String> passed = send(rest("/v1/embeddings").header("Authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"simple\", \"input\": \"hello\"}")));
    assertEquals(400, passed.statusCode(), passed.body());
  }

  @Test
  void theFirstStartWritesOneKeyToAnOwnerOnlyFileAndItWorks() throws Exception {
    Path file = dir.resolve("data").resolve("initial-api-key");
    String key = Files.readString(file).trim();
    SECRETS.add(key);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(200, infer("simple", key).statusCode());
    HttpResponse<String> list = send(admin("/admin/keys").GET());
    assertEquals(200, list.statusCode());
    assertFalse(list.body().contains(key.substring(18)), "no secret in a listing");
    assertFalse(list.body().contains("secret_sha256"), "no hash in a listing");
    assertEquals(401, send(HttpRequest.newBuilder(admin("/admin/keys").build().uri()).GET()).statusCode(),
        "the admin API needs its token");
  }

  /** Vert.x Web refuses an HTTP/1.1 request without Host before any route: the key API answered that with a 500. */
  @Test
  void aRequestTheRouterRefusesBeforeAnyRouteIsA400OnTheAdminApi() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.gateway().adminPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /admin/keys HTTP/1.1\r\nAuthorization: Bearer " + ADMIN
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
      assertTrue(answer.contains("Host"), answer);
    }
  }

  /**
   * A ModelStreamInfer call refused for its key whose message is over the size limit: answered once (UNAUTHENTICATED),
   * where Vert.x's own handler, still in place while the key was looked up, answered a second time and logged an ERROR.
   */
  @Test
  void aStreamRefusedForItsKeyIsAnsweredOnceWhateverItSends() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      byte[] overTheLimit = {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3};
      int errorsBefore = errors().size();
      String status = h2.request(io.vertx.core.http.HttpMethod.POST, node.grpcPort(), "127.0.0.1",
              "/inference.GRPCInferenceService/ModelStreamInfer")
          .compose(req -> req.putHeader("content-type", "application/grpc").putHeader("te", "trailers")
              .putHeader("authorization", "Bearer nope").send(io.vertx.core.buffer.Buffer.buffer(overTheLimit)))
          .compose(resp -> resp.body().map(b -> resp.getHeader("grpc-status") != null ? resp.getHeader("grpc-status")
              : resp.getTrailer("grpc-status")))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(status.equals("16") || status.equals("8"), "UNAUTHENTICATED, or RESOURCE_EXHAUSTED if the size "
          + "was read first: " + status);
      assertEquals(errorsBefore, errors().size(), "no second answer attempted: " + errors());
    } finally {
      vertx.close().await();
    }
  }

  /**
   * Vert.x Web normalises a path to match routes, fails one whose %-escapes do not decode and, when that happens while
   * matching rather than in a handler (the key API's routes come after its body handler), logs it at ERROR with a
   * stack trace: such a path is answered 400 before any router sees it, on the REST port over HTTP/1 and HTTP/2 and
   * on the admin port, and nothing is logged as an error.
   */
  @Test
  void aPathWhoseEscapesDoNotDecodeIs400WithNoErrorLogged() throws Exception {
    int errorsBefore = errors().size();
    String[] restPaths = {"/v2/models/%/infer", "/v2/models/simple%2/infer", "/%zz/predict"};
    for (String path : restPaths) {
      assertRawAnswer(node.uri("/").getPort(), "POST " + path, SIMPLE_BODY, "Bearer nope");
    }
    for (String path : new String[] {"/admin/keys/%", "/admin/keys/%zz", "/admin/keys/x%2"}) {
      assertRawAnswer(node.gateway().adminPort(), "PATCH " + path, "{\"name\": \"x\"}", "Bearer " + ADMIN);
    }
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      for (String path : restPaths) {
        int status = h2.request(io.vertx.core.http.HttpMethod.POST, node.uri("/").getPort(), "127.0.0.1", path)
            .compose(req -> req.send(SIMPLE_BODY)).map(io.vertx.core.http.HttpClientResponse::statusCode)
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(400, status, path + " over HTTP/2");
      }
    } finally {
      vertx.close().await();
    }
    assertEquals(errorsBefore, errors().size(), "nothing logged as an error: " + errors());
  }

  /** Sends a request line no URI type takes, raw, and expects the malformed-escape 400. */
  private static void assertRawAnswer(int port, String requestLine, String body, String auth) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: " + auth
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 400 ") && answer.contains("malformed %-escape"), requestLine + ": " + answer);
    }
  }

  private static List<ILoggingEvent> errors() {
    synchronized (LOGS) {
      return LOGS.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).toList();
    }
  }

  @AfterAll
  static void noLogLineHoldsASecret() {
    for (ILoggingEvent e : LOGS.list) {
      String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
      for (String s : SECRETS) {
        assertFalse(line.contains(s.substring(18)), "a secret in the log line: " + e.getLoggerName());
      }
    }
    assertFalse(LOGS.list.isEmpty(), "the log was captured");
  }

  /**
   * A client that sends its headers and part of a body, then goes away (TCP reset, or an orderly close),
   * on every REST API: each is logged at DEBUG as a client that went away, none at ERROR, and the node serves on.
   */
  @Test
  void aClientThatGoesAwayMidRequestIsNoErrorOnAnyRestApi() throws Exception {
    String key = createKey("{}");
    Logger restErrors = (Logger) LoggerFactory.getLogger(io.maas.gateway.http.RestErrors.class);
    ch.qos.logback.classic.Level level = restErrors.getLevel();
    restErrors.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      int before = wentAway();
      List<String> paths = List.of("/v2/models/simple/infer", "/v1/models/simple:predict", "/simple/predict",
          "/v1/embeddings");
      for (String path : paths) {
        for (boolean reset : new boolean[] {true, false}) {
          try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.uri("/").getPort())) {
            s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"inputs\": [")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            if (reset) {
              s.setSoLinger(true, 0);
            }
          }
        }
      }
      io.maas.gateway.cluster.Poll.until(Duration.ofSeconds(10), "every disconnect seen",
          () -> wentAway() - before >= 2 * paths.size());
      List<ILoggingEvent> errors;
      synchronized (LOGS) { // the appender adds under its own lock
        errors = LOGS.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).toList();
      }
      assertTrue(errors.isEmpty(), "no ERROR: " + errors);
      assertEquals(200, infer("simple", key).statusCode(), "the node serves on");
    } finally {
      restErrors.setLevel(level);
    }
  }

  /** OpenAI's model list shows the models a key may run inference on; without a key it is OpenAI's 401. */
  @Test
  void theOpenAiModelListHoldsTheModelsTheKeyMayUse() throws Exception {
    assertEquals(List.of("affine_fp32", "simple"), listedModels(createKey("{\"models\": [\"simple\", \"affine_fp32\"]}")));
    assertEquals(List.of(), listedModels(createKey("{\"scopes\": [\"repository\"]}")), "no infer scope: no model");
    assertTrue(listedModels(createKey("{}")).containsAll(List.of("affine_fp32", "all-minilm-l6-v2", "simple")));
    HttpResponse<String> anonymous = send(rest("/v1/models").GET());
    assertEquals(401, anonymous.statusCode(), anonymous.body());
    assertEquals("UNAUTHENTICATED", anonymous.headers().firstValue("X-Maas-Error-Code").orElse(""));
    assertEquals("authentication_error", new JsonObject(anonymous.body()).getJsonObject("error").getString("type"));
  }

  private static List<String> listedModels(String key) throws Exception {
    HttpResponse<String> r = send(rest("/v1/models").header("Authorization", "Bearer " + key).GET());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id")).toList();
  }

  private static int wentAway() {
    synchronized (LOGS) {
      return (int) LOGS.list.stream().filter(e -> e.getFormattedMessage().contains("the client went away")).count();
    }
  }
}
