package io.maas.worker.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maas.config.SessionConfig;
import io.maas.config.SimConfig;
import io.maas.config.SlotConfig;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.DeviceSlots;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.memory.FootprintMeter;
import io.maas.worker.memory.SlotFootprints;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.runtime.OrtRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warmup in a slot's model lifecycle, on a real ONNX Runtime slot: a version is READY only once its warmup ran
 * (the statistics at the moment it turns READY already count the warmup's executions); a warmup that fails
 * fails the load with its reason, and a reload whose warmup fails leaves the version loaded before serving.
 * The simulated device checks the same samples and runs none.
 */
class WarmupLifecycleTest {
  /** Gather from a table of 2 rows: zero ids work, random ids in [0, 127] fall off the table. */
  private static final byte[] LOOKUP = OnnxModelBuilder.create("lookup")
      .input("IDS", ElemType.INT64, -1, 4).output("OUT", ElemType.FLOAT, -1, 4)
      .initializer("TABLE", new long[] {2}, 1f, 2f)
      .node("Gather", List.of("TABLE", "IDS"), List.of("OUT")).build();
  private static final String BATCHED = "max_batch_size: 4\ninstance_group: [{count: 2}]\n";
  private static final String ZEROS = """
      model_warmup:
        - {name: zeros, batch_size: 2, count: 3, inputs: {IDS: {data_type: TYPE_INT64, dims: [4], zero_data: true}}}
      """;
  private static final String RANDOM = """
      model_warmup:
        - {name: random ids, inputs: {IDS: {data_type: TYPE_INT64, dims: [4], random_data: true}}}
      """;

  @TempDir
  Path repo;

  private Vertx vertx;
  private Context context;
  private WorkerExecutor executor;
  private DeviceSlot slot;
  private ModelLifecycle lifecycle;
  /** Each state change: the states and the statistics of the versions serving, as they were then. */
  private final List<Report> reports = new ArrayList<>();

  private record Report(List<ModelStatus> statuses, JsonArray statistics) {}

  @BeforeEach
  void openSlot() throws Exception {
    open(new SlotConfig("cpu", List.of(), new SessionConfig(1, 1, "all")));
  }

  private void open(SlotConfig config) throws Exception {
    if (vertx != null) {
      closeSlot();
    }
    reports.clear();
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    executor = vertx.createSharedWorkerExecutor("warmup-test", 2);
    slot = await(DeviceSlots.open(vertx, executor, new OrtRuntime(OrtEnvironment.getEnvironment()), config, 0, 64,
        FootprintMeter.ofProcess()));
    lifecycle = new ModelLifecycle("w1", new SimpleMeterRegistry(), executor, SlotFootprints.of(config),
        () -> reports.add(new Report(lifecycle.statuses(), lifecycle.statistics("", ""))));
  }

  @AfterEach
  void closeSlot() throws Exception {
    lifecycle.closeSessions();
    slot.close();
    executor.close();
    await(vertx.close());
  }

  @Test
  void aVersionIsReadyOnlyOnceItsWarmupRanOnEveryInstance() throws Exception {
    write(LOOKUP, BATCHED + ZEROS);
    List<ModelStatus> loaded = await(change());
    assertEquals(ModelReadyState.READY, loaded.get(0).state());

    Report ready = reports.stream().filter(r -> r.statuses().get(0).state() == ModelReadyState.READY).findFirst()
        .orElseThrow();
    JsonObject stats = ready.statistics().getJsonObject(0);
    assertEquals(3 * 2, stats.getLong("execution_count"), "3 runs on each of 2 instances, before READY");
    assertEquals(0, stats.getJsonObject("inference_stats").getJsonObject("success").getLong("count"),
        "no client request counted");
    assertEquals(0, stats.getLong("inference_count"));
    assertEquals(6, stats.getJsonArray("batch_stats").getJsonObject(0).getJsonObject("compute_infer").getLong("count"));
    assertEquals(2, stats.getJsonArray("batch_stats").getJsonObject(0).getLong("batch_size"), "the sample's batch_size");
    assertTrue(reports.get(0).statuses().get(0).state() == ModelReadyState.LOADING, "LOADING first: " + reports);

    assertEquals(1f, first(await(infer())), "then it serves");
    assertEquals(7, lifecycle.statistics("m", "1").getJsonObject(0).getLong("execution_count"));
  }

  @Test
  void aWarmupThatFailsFailsTheLoadWithItsReason() throws Exception {
    write(LOOKUP, BATCHED + RANDOM);
    Exception failed = assertThrows(Exception.class, () -> await(change()));
    assertTrue(failed.getCause().getMessage().matches("model 'm' version 1 did not load on worker w1: warmup sample "
        + "'random ids' failed \\(run 1 of 1 on instance 1 of 2\\): the model rejected the input: .*out of.*"),
        failed.getCause().getMessage());
    ModelStatus status = lifecycle.statuses().get(0);
    assertEquals(ModelReadyState.UNAVAILABLE, status.state());
    assertTrue(status.reason().startsWith("warmup sample 'random ids' failed"), status.reason());
    assertEquals(0, lifecycle.statistics("m", "").size(), "nothing serves");
  }

  @Test
  void aReloadWhoseWarmupFailsLeavesTheVersionLoadedBeforeServing() throws Exception {
    write(LOOKUP, BATCHED + ZEROS);
    await(change());
    int before = reports.size();
    write(LOOKUP, BATCHED + RANDOM);
    Exception failed = assertThrows(Exception.class, () -> await(change()));
    assertTrue(failed.getCause().getMessage().contains("warmup sample 'random ids' failed"), failed.getMessage());
    assertEquals(ModelReadyState.READY, lifecycle.statuses().get(0).state());
    assertTrue(reports.subList(before, reports.size()).stream()
        .allMatch(r -> r.statuses().get(0).state() == ModelReadyState.READY), "never out of service: " + reports);
    assertEquals(1f, first(await(infer())), "the version loaded before keeps serving");
  }

  @Test
  void theSimulatedDeviceChecksTheSamplesAsARealSlotDoesAndRunsNone() throws Exception {
    String misfit = "model_warmup: [{name: s, inputs: {IDS: {data_type: TYPE_INT64, dims: [5], zero_data: true}}}]\n";
    write(LOOKUP, BATCHED + misfit);
    assertThrows(Exception.class, () -> await(change()));
    String onCpu = lifecycle.statuses().get(0).reason();
    assertEquals("model_warmup[0] 's': inputs.IDS.dims [5] do not fit the model's input [4] (without its batch "
        + "dimension)", onCpu);

    open(new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), new SimConfig(1, 0, 0)));
    assertThrows(Exception.class, () -> await(change()));
    assertEquals(onCpu, lifecycle.statuses().get(0).reason(), "the same reason on the sim device");

    write(LOOKUP, BATCHED + ZEROS);
    assertEquals(ModelReadyState.READY, await(change()).get(0).state());
    assertEquals(0, lifecycle.statistics("m", "1").getJsonObject(0).getLong("execution_count"), "nothing ran");
  }

  private void write(byte[] onnx, String config) throws Exception {
    Path dir = Files.createDirectories(repo.resolve("m").resolve("1"));
    Files.write(dir.resolve("model.onnx"), onnx);
    Files.writeString(repo.resolve("m").resolve("config.yaml"), config);
  }

  private Future<List<ModelStatus>> change() {
    return onContext(() -> lifecycle.change(slot, "m",
        new ModelRepository(repo).scan().stream().filter(d -> d.name().equals("m")).findFirst()));
  }

  /** IDS [1, 4] of zeros: OUT is the table's first row, 1, four times. */
  private Future<InferenceResponse> infer() {
    InferenceRequest r = new InferenceRequest("m", "", "", List.of(new Tensor("IDS", DataType.INT64,
        new long[] {1, 4}, new byte[32])), List.of(), null);
    return onContext(() -> lifecycle.infer(r));
  }

  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  private static float first(InferenceResponse response) {
    return ByteBuffer.wrap(response.outputs().get(0).data()).order(ByteOrder.LITTLE_ENDIAN).getFloat();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
