package io.maas.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelRepositoryParameter;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.ModelStatisticsResponse;
import inference.GrpcService.RepositoryIndexRequest;
import inference.GrpcService.RepositoryIndexResponse;
import inference.GrpcService.RepositoryModelLoadRequest;
import inference.GrpcService.RepositoryModelUnloadRequest;
import inference.GrpcService.ServerMetadataRequest;
import inference.ModelConfigOuterClass.DataType;
import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelInstanceGroup;
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
import io.maas.node.MaasNode;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's gRPC clients reach maas's model configuration, statistics and repository RPCs: every call here goes
 * through grpc-java stubs generated from Triton's own {@code grpc_service.proto} and {@code model_config.proto}
 * (vendored unchanged under src/test/proto/triton), against a real node (keys off; the admin-token rule is in
 * ApiKeyEdgesTest). What gRPC answers is what REST answers, read into Triton's messages with protobuf's
 * JsonFormat, so both edges and Triton's JSON agree.
 */
class TritonGrpcTest {
  @TempDir
  static Path dir;
  private static RunningNode node;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    Path repo = TestRepository.create(dir.resolve("repo"));
    TestRepository.write(repo, "sign", 1, OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    MaasConfig c = RunningNode.config(repo, "maas-triton-" + UUID.randomUUID());
    // keys off, and a data directory of its own: the loads and unloads here are recorded there, not in ./data
    node = new RunningNode(new MaasConfig(c.gateway(), c.worker(), c.cluster(),
        new TenancyConfig(false, "127.0.0.1", 0, "", dir.resolve("data"))), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    node.close();
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub triton() {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static <T extends com.google.protobuf.Message.Builder> T fromRest(String path, T builder) throws Exception {
    var response = path.endsWith("/index") ? node.post(path, "") : node.get(path);
    assertEquals(200, response.statusCode(), response.body());
    String json = path.endsWith("/index") ? "{\"models\": " + response.body() + "}" : response.body();
    JsonFormat.parser().ignoringUnknownFields().merge(json, builder);
    return builder;
  }

  @Test
  void modelConfigIsTritonsModelConfigAsRestServesIt() throws Exception {
    for (String model : List.of("simple", "affine_fp32", "all-minilm-l6-v2", "versioned", "sign")) {
      ModelConfig grpc = triton().modelConfig(ModelConfigRequest.newBuilder().setName(model).build()).getConfig();
      ModelConfig rest = fromRest("/v2/models/" + model + "/config", ModelConfig.newBuilder()).build();
      assertEquals(rest, grpc, model);
      assertEquals(model, grpc.getName());
      assertEquals("onnxruntime_onnx", grpc.getPlatform());
      assertEquals("model.onnx", grpc.getDefaultModelFilename(), model);
      assertEquals(1, grpc.getInstanceGroupCount(), model);
    }
    ModelConfig minilm = triton().modelConfig(ModelConfigRequest.newBuilder().setName("all-minilm-l6-v2").build())
        .getConfig();
    assertEquals(32, minilm.getMaxBatchSize());
    assertTrue(minilm.hasDynamicBatching(), "its config.yaml turns dynamic batching on");
    assertEquals(0, minilm.getDynamicBatching().getMaxQueueDelayMicroseconds());
    assertEquals(1, minilm.getVersionPolicy().getLatest().getNumVersions());
    assertEquals(ModelInstanceGroup.Kind.KIND_AUTO, minilm.getInstanceGroup(0).getKind());
    var text = minilm.getInputList().stream().filter(i -> i.getName().equals("text")).findFirst().orElseThrow();
    assertEquals(DataType.TYPE_STRING, text.getDataType(), "BYTES is Triton's TYPE_STRING");
    assertEquals(List.of(), text.getDimsList(), "[-1] less its batch dimension");

    ModelConfig simple = triton().modelConfig(ModelConfigRequest.newBuilder().setName("simple").build()).getConfig();
    assertEquals(DataType.TYPE_INT32, simple.getInput(0).getDataType());
    assertEquals(List.of(16L), simple.getInput(0).getDimsList());
    assertFalse(simple.hasDynamicBatching());

    ModelConfig versioned = triton().modelConfig(ModelConfigRequest.newBuilder().setName("versioned").setVersion("1")
        .build()).getConfig();
    assertTrue(versioned.getVersionPolicy().hasAll(), "its config.yaml: version_policy: {all: {}}");
  }

  @Test
  void repositoryIndexListsWhatRestListsAndReadyKeepsTheReadyOnes() throws Exception {
    RepositoryIndexResponse all = triton().repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
    assertEquals(fromRest("/v2/repository/index", RepositoryIndexResponse.newBuilder()).build(), all);
    assertTrue(all.getModelsList().stream().anyMatch(m -> m.getName().equals("simple") && m.getVersion().equals("1")
        && m.getState().equals("READY")), all.toString());
    var broken = all.getModelsList().stream().filter(m -> m.getName().equals("broken")).findFirst().orElseThrow();
    assertEquals("UNAVAILABLE", broken.getState());
    assertTrue(broken.getReason().contains("max_batch_size"), broken.getReason());

    RepositoryIndexResponse ready = triton().repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build());
    assertTrue(ready.getModelsCount() > 0);
    assertTrue(ready.getModelsList().stream().allMatch(m -> m.getState().equals("READY")), ready.toString());
    assertEquals(all.getModelsList().stream().filter(m -> m.getState().equals("READY")).toList(), ready.getModelsList());
  }

  @Test
  void modelStatisticsAreRestsStatisticsInTritonsMessage() throws Exception {
    ModelStatisticsRequest simple = ModelStatisticsRequest.newBuilder().setName("simple").build();
    long before = triton().modelStatistics(simple).getModelStats(0).getInferenceStats().getSuccess().getCount();
    IntStream.range(0, 3).forEach(i -> assertEquals(16, infer().getOutputs(0).getContents().getIntContentsCount()));

    AtomicReference<Metadata> headers = new AtomicReference<>();
    ModelStatisticsResponse grpc = triton().withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers,
        new AtomicReference<>())).modelStatistics(simple);
    ModelStatisticsResponse rest = fromRest("/v2/models/simple/stats", ModelStatisticsResponse.newBuilder()).build();
    assertEquals(rest, grpc);
    var stats = grpc.getModelStats(0);
    assertEquals("simple", stats.getName());
    assertEquals("1", stats.getVersion());
    assertEquals(before + 3, stats.getInferenceStats().getSuccess().getCount());
    assertTrue(stats.getExecutionCount() >= 3 && stats.getInferenceCount() >= 3, stats.toString());
    assertTrue(stats.getLastInference() > 0);
    assertEquals("1", headers.get().get(Metadata.Key.of("x-maas-workers-asked", Metadata.ASCII_STRING_MARSHALLER)));
    assertEquals("1", headers.get().get(Metadata.Key.of("x-maas-workers-answered", Metadata.ASCII_STRING_MARSHALLER)));

    ModelStatisticsResponse everything = triton().modelStatistics(ModelStatisticsRequest.getDefaultInstance());
    assertEquals(fromRest("/v2/models/stats", ModelStatisticsResponse.newBuilder()).build().getModelStatsCount(),
        everything.getModelStatsCount());
    assertTrue(everything.getModelStatsList().stream().anyMatch(s -> s.getName().equals("all-minilm-l6-v2")));
  }

  /** Triton's ModelInfer through Triton's stubs: INPUT0 + INPUT1 on `simple`. */
  private static ModelInferResponse infer() {
    ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName("simple");
    for (String name : List.of("INPUT0", "INPUT1")) {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      IntStream.range(0, 16).forEach(c::addIntContents);
      r.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("INT32")
          .addShape(1).addShape(16).setContents(c));
    }
    return triton().modelInfer(r.build());
  }

  @Test
  void unloadAndLoadWithAConfigurationThroughTritonsRpcs() throws Exception {
    triton().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("sign").build());
    var unloaded = triton().repositoryIndex(RepositoryIndexRequest.getDefaultInstance()).getModelsList().stream()
        .filter(m -> m.getName().equals("sign")).findFirst().orElseThrow();
    assertEquals("UNAVAILABLE", unloaded.getState());
    assertEquals("unloaded", unloaded.getReason());
    assertStatus(Status.Code.UNAVAILABLE, () -> triton().modelConfig(ModelConfigRequest.newBuilder().setName("sign")
        .build()));

    triton().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("sign")
        .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam("{\"max_batch_size\": 3}").build())
        .build());
    ModelConfig configured = triton().modelConfig(ModelConfigRequest.newBuilder().setName("sign").build()).getConfig();
    assertEquals(3, configured.getMaxBatchSize(), "the configuration given with the load is served at once");
    assertEquals(List.of(2L), configured.getInput(0).getDimsList());

    triton().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("sign").build());
    assertEquals(0, triton().modelConfig(ModelConfigRequest.newBuilder().setName("sign").build()).getConfig()
        .getMaxBatchSize(), "loaded again without one: its own (inferred) configuration");
  }

  @Test
  void badCallsGetAClearStatus() {
    assertStatus(Status.Code.NOT_FOUND, () -> triton().modelConfig(ModelConfigRequest.newBuilder().setName("nope").build()));
    assertStatus(Status.Code.NOT_FOUND, () -> triton().modelConfig(ModelConfigRequest.newBuilder().setName("simple")
        .setVersion("7").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> triton().modelConfig(ModelConfigRequest.getDefaultInstance()));
    assertStatus(Status.Code.NOT_FOUND, () -> triton().modelStatistics(ModelStatisticsRequest.newBuilder()
        .setName("nope").build()));
    assertStatus(Status.Code.NOT_FOUND, () -> triton().repositoryModelLoad(load("nope").build()));
    StatusRuntimeException file = assertStatus(Status.Code.INVALID_ARGUMENT, () -> triton().repositoryModelLoad(
        load("simple").putParameters("file:1/model.onnx", ModelRepositoryParameter.newBuilder()
            .setBytesParam(com.google.protobuf.ByteString.copyFromUtf8("onnx")).build()).build()));
    assertTrue(file.getStatus().getDescription().contains("need a 'config'"), file.getStatus().getDescription());
    // with a config, the bytes are the model: uploaded to every worker, then served
    triton().repositoryModelLoad(load("grpc_uploaded")
        .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam("{}").build())
        .putParameters("file:1/model.onnx", ModelRepositoryParameter.newBuilder().setBytesParam(
            com.google.protobuf.ByteString.copyFrom(io.maas.worker.onnx.OnnxModelBuilder.identity("id",
                io.maas.worker.onnx.ElemType.FLOAT, -1, 2))).build()).build());
    assertTrue(triton().repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build()).getModelsList()
        .stream().anyMatch(m -> m.getName().equals("grpc_uploaded")), "the uploaded model is ready");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> triton().repositoryModelLoad(load("simple")
        .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam("{bad").build()).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> triton().repositoryModelLoad(load("simple")
        .putParameters("config", ModelRepositoryParameter.newBuilder().setInt64Param(3).build()).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> triton().repositoryModelLoad(load("simple")
        .putParameters("poll", ModelRepositoryParameter.newBuilder().setBoolParam(true).build()).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> triton().repositoryModelLoad(load("simple")
        .setRepositoryName("elsewhere").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> triton().repositoryModelUnload(
        RepositoryModelUnloadRequest.getDefaultInstance()));
  }

  @Test
  void theServerSaysItServesTheExtensions() {
    assertEquals(List.of("model_configuration", "model_repository", "parameters", "statistics"),
        triton().serverMetadata(ServerMetadataRequest.getDefaultInstance()).getExtensionsList());
    // and KServe's stubs, generated from maas's own proto, still reach the same service
    try (GrpcClient kserve = new GrpcClient(node.grpcPort())) {
      assertEquals(List.of("model_configuration", "model_repository", "parameters", "statistics"),
          kserve.blocking().serverMetadata(io.maas.gateway.grpc.v2.ServerMetadataRequest.getDefaultInstance())
              .getExtensionsList());
    }
  }

  private static RepositoryModelLoadRequest.Builder load(String model) {
    return RepositoryModelLoadRequest.newBuilder().setModelName(model);
  }

  private static StatusRuntimeException assertStatus(Status.Code code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    return e;
  }
}
