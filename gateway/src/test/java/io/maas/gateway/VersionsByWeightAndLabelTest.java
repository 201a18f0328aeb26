package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.ModelRepositoryParameter;
import inference.GrpcService.RepositoryModelLoadRequest;
import inference.ModelConfigOuterClass.ModelConfig;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maas.config.ClusterConfig;
import io.maas.config.MaasConfig;
import io.maas.node.MaasNode;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions by weight and label on a real node (gateway + one ONNX worker): a 10/90 canary set through the load API
 * and measured over 10,000 unversioned requests, weights changed at run time, weights and labels from the
 * configuration file, labels on KServe V2 REST, gRPC and TF Serving REST, and the 400s and 404s of bad ones. Each
 * model has version 1 (identity) and version 2 (negation), so an answer tells which version served it.
 */
class VersionsByWeightAndLabelTest {
  private static final String BODY =
      "{\"inputs\": [{\"name\": \"INPUT0\", \"shape\": [1, 2], \"datatype\": \"INT32\", \"data\": [4, 5]}]}";

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    Path repo = dir.resolve("repo");
    for (String model : List.of("canary", "labelled", "relabelled", "refusals", "partly", "badcfg")) {
      TestRepository.write(repo, model, 1, OnnxModelBuilder.identity("v1", ElemType.INT32, -1, 2));
      if (!model.equals("badcfg")) {
        TestRepository.write(repo, model, 2, model.equals("partly") ? "not an onnx model".getBytes()
            : OnnxModelBuilder.create("v2").input("INPUT0", ElemType.INT32, -1, 2).output("OUTPUT0", ElemType.INT32, -1, 2)
                .node("Neg", List.of("INPUT0"), List.of("OUTPUT0")).build());
      }
      Files.writeString(repo.resolve(model).resolve("config.yaml"), "version_policy: {all: {}}\n");
    }
    String labels = "version_policy: {all: {}}\ntraffic: {\"1\": 100}\nversion_labels: {stable: 1, canary: 2}\n";
    Files.writeString(repo.resolve("labelled/config.yaml"), labels);
    Files.writeString(repo.resolve("relabelled/config.yaml"), labels);
    Files.writeString(repo.resolve("badcfg/config.yaml"), "traffic: {\"1\": -5}\n");
    MaasConfig c = RunningNode.config(repo, "maas-versions-" + UUID.randomUUID());
    node = new RunningNode(new MaasConfig(c.gateway(), c.worker(),
        new ClusterConfig(c.cluster().name(), "127.0.0.1", 7200, List.of("127.0.0.1"), "")), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  private static HttpResponse<String> load(String model, JsonObject parameters) throws Exception {
    return node.post("/v2/repository/models/" + model + "/load", new JsonObject().put("parameters", parameters).encode());
  }

  private static void loaded(String model, JsonObject parameters) throws Exception {
    HttpResponse<String> r = load(model, parameters);
    assertEquals(200, r.statusCode(), r.body());
  }

  private static String refused(String model, JsonObject parameters) throws Exception {
    HttpResponse<String> r = load(model, parameters);
    assertEquals(400, r.statusCode(), r.body());
    return RunningNode.json(r).getString("error");
  }

  /** The version that served an infer request on a V2 REST path (its response's model_version). */
  private static String servedBy(String path) throws Exception {
    HttpResponse<String> r = node.post(path, BODY);
    assertEquals(200, r.statusCode(), r.body());
    JsonObject answer = RunningNode.json(r);
    int first = answer.getJsonArray("outputs").getJsonObject(0).getJsonArray("data").getInteger(0);
    assertEquals(answer.getString("model_version").equals("1") ? 4 : -4, first, "version 1 is identity, 2 negates");
    return answer.getString("model_version");
  }

  /** How many of n unversioned requests each version served, sent by 4 clients at once. */
  private static Map<String, Integer> unversioned(String model, int n) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<Future<Map<String, Integer>>> parts = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int share = n / 4 + (c < n % 4 ? 1 : 0);
        parts.add(clients.submit(() -> {
          Map<String, Integer> counts = new HashMap<>();
          for (int i = 0; i < share; i++) {
            counts.merge(servedBy("/v2/models/" + model + "/infer"), 1, Integer::sum);
          }
          return counts;
        }));
      }
      Map<String, Integer> counts = new HashMap<>();
      for (Future<Map<String, Integer>> part : parts) {
        part.get(5, TimeUnit.MINUTES).forEach((v, k) -> counts.merge(v, k, Integer::sum));
      }
      return counts;
    } finally {
      clients.shutdownNow();
    }
  }

  private static JsonObject config(String path) throws Exception {
    HttpResponse<String> r = node.get(path);
    assertEquals(200, r.statusCode(), r.body());
    return RunningNode.json(r);
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc() {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static ModelInferResponse grpcInfer(String model, String version) {
    return grpc().modelInfer(ModelInferRequest.newBuilder().setModelName(model).setModelVersion(version)
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("INPUT0").setDatatype("INT32").addShape(1)
            .addShape(2).setContents(InferTensorContents.newBuilder().addIntContents(4).addIntContents(5)))
        .build());
  }

  @Test
  void aCanarySetThroughTheLoadApiTakesItsShareAndTheWeightsChangeAtRunTime() throws Exception {
    assertEquals(Map.of("2", 50), unversioned("canary", 50), "no weights: the highest version");
    loaded("canary", new JsonObject().put("traffic", new JsonObject().put("2", 10).put("1", 90)));
    assertEquals(new JsonObject().put("1", 90).put("2", 10), config("/v2/models/canary/config").getJsonObject("traffic"),
        "the config endpoint shows the weights in effect");

    int n = 10_000;
    Map<String, Integer> counts = unversioned("canary", n);
    assertEquals(n, counts.getOrDefault("1", 0) + counts.getOrDefault("2", 0), counts.toString());
    double canaryPercent = 100.0 * counts.getOrDefault("2", 0) / n;
    System.out.printf("canary traffic {\"2\": 10, \"1\": 90}: version 2 served %.2f %% of %d unversioned requests%n",
        canaryPercent, n);
    assertTrue(Math.abs(canaryPercent - 10) <= 2, "version 2 took " + canaryPercent + " % of " + n + ": " + counts);
    assertEquals("1", servedBy("/v2/models/canary/versions/1/infer"), "a version asked for is not split");

    loaded("canary", new JsonObject().put("traffic", "{\"2\": 100}")); // a JSON string, as gRPC sends it
    assertEquals(Map.of("2", 300), unversioned("canary", 300), "all to version 2 once the load answered");
    loaded("canary", new JsonObject());
    assertFalse(config("/v2/models/canary/config").containsKey("traffic"), "a load without weights: the file's (none)");
  }

  @Test
  void weightsAndLabelsFromTheConfigurationFileServeWithoutTheApi() throws Exception {
    assertEquals(Map.of("1", 40), unversioned("labelled", 40), "traffic: {1: 100} over the higher version 2");
    JsonObject config = config("/v2/models/labelled/config");
    assertEquals(new JsonObject().put("1", 100), config.getJsonObject("traffic"));
    assertEquals(new JsonObject().put("canary", "2").put("stable", "1"), config.getJsonObject("version_labels"));
  }

  @Test
  void labelsNameVersionsOnKServeV2Rest() throws Exception {
    assertEquals("2", servedBy("/v2/models/labelled/versions/canary/infer"));
    assertEquals("1", servedBy("/v2/models/labelled/versions/stable/infer"));
    JsonObject ready = RunningNode.json(node.get("/v2/models/labelled/versions/canary/ready"));
    assertEquals(new JsonObject().put("name", "labelled").put("ready", true).put("version", "2"), ready);
    assertEquals(200, node.get("/v2/models/labelled/versions/stable").statusCode());
    assertEquals(new JsonObject().put("canary", "2").put("stable", "1"),
        config("/v2/models/labelled/versions/stable/config").getJsonObject("version_labels"));
    JsonArray stats = config("/v2/models/labelled/versions/canary/stats").getJsonArray("model_stats");
    assertEquals("2", stats.getJsonObject(0).getString("version"), stats.encode());

    HttpResponse<String> unknown = node.post("/v2/models/labelled/versions/beta/infer", BODY);
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertEquals("unknown version label 'beta' of model 'labelled'; labels: [canary, stable]",
        RunningNode.json(unknown).getString("error"));
    assertEquals(404, node.get("/v2/models/labelled/versions/beta/ready").statusCode());
    assertEquals(404, node.get("/v2/models/labelled/versions/beta/stats").statusCode());
    assertEquals(400, node.post("/v2/models/labelled/versions/-beta/infer", BODY).statusCode());
  }

  @Test
  void labelsNameVersionsOnGrpc() {
    assertEquals("2", grpcInfer("labelled", "canary").getModelVersion());
    assertEquals(-4, grpcInfer("labelled", "canary").getOutputs(0).getContents().getIntContents(0));
    assertEquals("1", grpcInfer("labelled", "stable").getModelVersion());
    assertTrue(grpc().modelReady(ModelReadyRequest.newBuilder().setName("labelled").setVersion("canary").build())
        .getReady());
    ModelConfig config = grpc().modelConfig(ModelConfigRequest.newBuilder().setName("labelled").build()).getConfig();
    assertEquals(new JsonObject().put("canary", "2").put("stable", "1"),
        new JsonObject(config.getParametersOrThrow("version_labels").getStringValue()));
    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> grpcInfer("labelled", "beta"));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    assertTrue(unknown.getStatus().getDescription().contains("unknown version label 'beta'"), unknown.getMessage());
  }

  @Test
  void labelsNameVersionsOnTfServingRest() throws Exception {
    String instances = "{\"instances\": [[4, 5]]}";
    HttpResponse<String> canary = node.post("/v1/models/labelled/labels/canary:predict", instances);
    assertEquals(200, canary.statusCode(), canary.body());
    assertEquals(new JsonArray("[[-4, -5]]"), RunningNode.json(canary).getJsonArray("predictions"));
    HttpResponse<String> stable = node.post("/v1/models/labelled/labels/stable:predict", instances);
    assertEquals(new JsonArray("[[4, 5]]"), RunningNode.json(stable).getJsonArray("predictions"), stable.body());

    JsonArray status = config("/v1/models/labelled/labels/canary").getJsonArray("model_version_status");
    assertEquals(1, status.size(), status.encode());
    assertEquals("2", status.getJsonObject(0).getString("version"));
    assertEquals("AVAILABLE", status.getJsonObject(0).getString("state"));
    assertEquals("1", config("/v1/models/labelled/labels/stable/metadata").getJsonObject("model_spec")
        .getString("version"));

    HttpResponse<String> unknown = node.post("/v1/models/labelled/labels/beta:predict", instances);
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(RunningNode.json(unknown).getString("error").contains("unknown version label 'beta'"), unknown.body());
    assertEquals(404, node.get("/v1/models/labelled/labels/beta").statusCode());
    assertEquals(400, node.post("/v1/models/labelled/labels/9lives:predict", instances).statusCode(),
        "not a label");
    assertEquals(400, node.post("/v1/models/labelled/versions/canary:predict", instances).statusCode(),
        "TF Serving's /versions/ takes numbers only");
  }

  @Test
  void labelsSetThroughTheApiReplaceTheFilesAndItsWeightsStay() throws Exception {
    loaded("relabelled", new JsonObject().put("version_labels", new JsonObject().put("stable", 2)));
    assertEquals("2", servedBy("/v2/models/relabelled/versions/stable/infer"));
    assertEquals(404, node.post("/v2/models/relabelled/versions/canary/infer", BODY).statusCode(),
        "the API's labels replace the file's whole");
    assertEquals(Map.of("1", 20), unversioned("relabelled", 20), "the file's weights still apply");

    grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("relabelled")
        .putParameters("traffic", ModelRepositoryParameter.newBuilder().setStringParam("{\"2\": 1}").build())
        .build());
    assertEquals(Map.of("2", 20), unversioned("relabelled", 20), "weights set over gRPC");
    assertEquals("1", servedBy("/v2/models/relabelled/versions/stable/infer"), "that load set no labels: the file's");
    StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> grpc().repositoryModelLoad(
        RepositoryModelLoadRequest.newBuilder().setModelName("relabelled").putParameters("traffic",
            ModelRepositoryParameter.newBuilder().setStringParam("{\"2\": -1}").build()).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertEquals(Map.of("2", 20), unversioned("relabelled", 20), "a refused load changes nothing");
  }

  @Test
  void badWeightsAndLabelsAre400NamingTheParameter() throws Exception {
    JsonObject zero = new JsonObject().put("traffic", new JsonObject().put("1", 0).put("2", 0));
    assertEquals("parameter 'traffic': traffic weights must not all be 0", refused("refusals", zero));
    assertTrue(refused("refusals", new JsonObject().put("traffic", new JsonObject().put("1", -10).put("2", 110)))
        .startsWith("parameter 'traffic': traffic weight of version 1 must be a whole number"));
    assertTrue(refused("refusals", new JsonObject().put("traffic", new JsonObject().put("1", 2.5)))
        .startsWith("parameter 'traffic': traffic weight of version 1 must be a whole number"));
    assertEquals("traffic names version 7 of model 'refusals', which is not loaded; loaded: [1, 2]",
        refused("refusals", new JsonObject().put("traffic", new JsonObject().put("1", 50).put("7", 50))));
    assertEquals("traffic names version 2 of model 'partly', which is not loaded; loaded: [1]",
        refused("partly", new JsonObject().put("traffic", new JsonObject().put("1", 50).put("2", 50))));
    assertEquals("version_labels: label 'next' names version 2 of model 'partly', which is not loaded; loaded: [1]",
        refused("partly", new JsonObject().put("version_labels", new JsonObject().put("next", 2))));
    assertTrue(refused("refusals", new JsonObject().put("config", "{\"traffic\": {\"1\": -1}}"))
        .startsWith("parameter 'config': traffic weight of version 1"));
    assertTrue(refused("refusals", new JsonObject().put("traffic", "{\"1\": ")).startsWith(
        "parameter 'traffic' is not a JSON object"));
    assertEquals(Map.of("2", 20), unversioned("refusals", 20), "none of them changed anything");

    String badFile = refused("badcfg", new JsonObject());
    assertTrue(badFile.contains("traffic weight of version 1 must be a whole number"), "the worker's reason: " + badFile);
  }
}
