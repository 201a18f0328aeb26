package io.maas.worker.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.model.Sha256;
import io.maas.worker.DeviceSlots;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.memory.FootprintMeter;
import io.maas.worker.memory.SlotFootprints;
import io.maas.worker.onnx.SampleModels;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.runtime.OrtRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.maas.config.SimConfig;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slot's model table on a real ONNX Runtime slot (the simulated one where requests must take a while), with
 * no event bus: every declared version starts LOADING and ends READY or UNAVAILABLE with its reason; lookups
 * pick the named or the highest serving version; a reload swaps without a failed request; an unload lets
 * running requests finish; concurrent changes end in the last call's state; a failed reload changes nothing.
 */
class ModelLifecycleTest {
  /** A digest no file here has. */
  private static final String OTHER = "ab".repeat(32);

  @TempDir
  Path repo;

  private Vertx vertx;
  private Context context;
  private WorkerExecutor executor;
  private DeviceSlot slot;
  private SimpleMeterRegistry meters;
  private final List<List<ModelStatus>> reports = new ArrayList<>();
  private ModelLifecycle lifecycle;

  @BeforeEach
  void openSlot() throws Exception {
    open(new SlotConfig("cpu", List.of(), new SessionConfig(1, 1, "all")));
  }

  /** Replaces the slot (the tests that need requests to take a while use the simulated device). */
  private void open(SlotConfig config) throws Exception {
    if (vertx != null) {
      closeSlot();
    }
    reports.clear();
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    executor = vertx.createSharedWorkerExecutor("lifecycle-test", 2);
    slot = await(DeviceSlots.open(vertx, executor, new OrtRuntime(OrtEnvironment.getEnvironment()), config, 0, 64,
        FootprintMeter.ofProcess()));
    meters = new SimpleMeterRegistry();
    lifecycle = new ModelLifecycle("w1", meters, executor, SlotFootprints.of(config),
        () -> reports.add(lifecycle.statuses()));
  }

  @AfterEach
  void closeSlot() throws Exception {
    lifecycle.closeSessions();
    slot.close();
    executor.close();
    await(vertx.close());
  }

  @Test
  void declaredVersionsStartLoadingAndEndReadyOrUnavailableWithTheReason() throws Exception {
    write("affine", "1", SampleModels.affineFp32());
    write("affine", "2", SampleModels.affineFp32());
    write("broken", "1", "not an onnx file".getBytes());
    List<ModelDefinition> defs = new ModelRepository(repo).scan();

    lifecycle.declare(defs);
    assertEquals(Map.of("affine/1", ModelReadyState.LOADING, "affine/2", ModelReadyState.LOADING,
        "broken/1", ModelReadyState.LOADING), states(lifecycle.statuses()));
    MaasException notReady = assertThrows(MaasException.class, () -> lifecycle.find("affine", ""));
    assertEquals(ErrorCode.UNAVAILABLE, notReady.code());

    loadAll(defs);
    Map<String, ModelReadyState> end = states(lifecycle.statuses());
    assertEquals(ModelReadyState.READY, end.get("affine/1"));
    assertEquals(ModelReadyState.READY, end.get("affine/2"));
    assertEquals(ModelReadyState.UNAVAILABLE, end.get("broken/1"));
    ModelStatus broken = lifecycle.statuses().stream().filter(s -> s.name().equals("broken")).findFirst().orElseThrow();
    assertTrue(!broken.reason().isEmpty(), "an UNAVAILABLE version says why");
    assertEquals(3, reports.size(), "one report per state change");
  }

  @Test
  void lookupsPickTheNamedOrHighestServingVersionAndSayWhyNot() throws Exception {
    write("affine", "1", SampleModels.affineFp32());
    write("affine", "3", SampleModels.affineFp32());
    List<ModelDefinition> defs = new ModelRepository(repo).scan();
    lifecycle.declare(defs);
    loadAll(defs);

    assertSame(lifecycle.find("affine", "3"), lifecycle.find("affine", ""), "unversioned: the highest version");
    assertTrue(lifecycle.find("affine", "1") != lifecycle.find("affine", "3"));
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(MaasException.class, () -> lifecycle.find("affine", "2")).code());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(MaasException.class, () -> lifecycle.find("other", "")).code());
    assertEquals(2, lifecycle.statistics("affine", "").size());
    assertEquals(1, lifecycle.statistics("affine", "1").size());
    assertEquals(0, lifecycle.statistics("other", "").size());
    assertTrue(meters.getMeters().size() > 0, "loaded versions have meters");
    lifecycle.removeMeters();
    assertTrue(meters.getMeters().stream().noneMatch(m -> "affine".equals(m.getId().getTag("model"))),
        "their meters go with them");
  }

  /** Loads on one Vert.x context, as the verticle does (the table is confined to its event loop). */
  private void loadAll(List<ModelDefinition> defs) throws Exception {
    await(onContext(() -> lifecycle.apply(slot, defs)));
  }

  /** Runs on the slot's one context and gives the outcome, wherever it completes. */
  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  private Future<List<ModelStatus>> change(String model) {
    return onContext(() -> lifecycle.change(slot, model, definition(model)));
  }

  private Future<List<ModelStatus>> unload(String model) {
    return onContext(() -> lifecycle.change(slot, model, Optional.empty()));
  }

  private Optional<ModelDefinition> definition(String model) {
    return new ModelRepository(repo).scan().stream().filter(d -> d.name().equals(model)).findFirst();
  }

  private Future<InferenceResponse> infer(String model, float a, float b) {
    ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(a).putFloat(b);
    InferenceRequest r = new InferenceRequest(model, "", "", List.of(new Tensor("INPUT0", DataType.FP32,
        new long[] {1, 2}, data.array())), List.of(), null);
    return onContext(() -> lifecycle.infer(r));
  }

  private static float first(InferenceResponse response) {
    return ByteBuffer.wrap(response.outputs().get(0).data()).order(ByteOrder.LITTLE_ENDIAN).getFloat();
  }

  private static byte[] negation() {
    return OnnxModelBuilder.create("neg").input("INPUT0", ElemType.FLOAT, -1, 2).output("OUTPUT0", ElemType.FLOAT, -1, 2)
        .node("Neg", List.of("INPUT0"), List.of("OUTPUT0")).build();
  }

  @Test
  void aVersionLoadedAgainFromChangedFilesTakesOverWithoutFailingARequestAndTheOldOneCloses() throws Exception {
    write("m", "1", OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    await(change("m"));
    assertEquals(3f, first(await(infer("m", 3, 4))), "identity");

    // requests keep arriving while the new files load beside the old ones
    write("m", "1", negation());
    List<Future<InferenceResponse>> during = new ArrayList<>();
    int reportsBefore = reports.size();
    Future<List<ModelStatus>> update = change("m");
    while (!update.isComplete() && during.size() < 5000) {
      during.add(infer("m", 3, 4));
      await(during.get(during.size() - 1));
    }
    await(update);
    for (Future<InferenceResponse> f : during) {
      float out = first(await(f));
      assertTrue(out == 3f || out == -3f, "every answer from the old or the new model: " + out);
    }
    assertEquals(-3f, first(await(infer("m", 3, 4))), "after the switch, only the new model");
    assertEquals(List.of(ModelReadyState.READY), await(update).stream().map(ModelStatus::state).toList());
    assertTrue(reports.subList(reportsBefore, reports.size()).stream().flatMap(List::stream)
        .allMatch(s -> s.state() == ModelReadyState.READY), "a reload never takes the version out of service: " + reports);
  }

  @Test
  void anUnloadLetsTheRequestsItTookFinishThenSaysUnloaded() throws Exception {
    open(new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), new SimConfig(400, 0, 0)));
    write("m", "1", OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    await(change("m"));
    List<Future<InferenceResponse>> running = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      running.add(infer("m", i, 0));
    }
    Future<List<ModelStatus>> unloading = unload("m");
    assertEquals(ModelReadyState.UNLOADING, await(onContext(() -> Future.succeededFuture(lifecycle.statuses()))).get(0).state(),
        "while it finishes what it took");
    assertEquals(ErrorCode.UNAVAILABLE, ((MaasException) assertThrows(Exception.class, () -> await(infer("m", 1, 1)))
        .getCause()).code(), "it takes nothing new");
    for (Future<InferenceResponse> f : running) {
      await(f);
    }
    List<ModelStatus> after = await(unloading);
    assertEquals(ModelReadyState.UNAVAILABLE, after.get(0).state());
    assertEquals("unloaded", after.get(0).reason());
  }

  @Test
  void concurrentLoadUnloadLoadEndsInTheStateOfTheLastCall() throws Exception {
    write("m", "1", OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    Future<List<ModelStatus>> load = change("m");
    Future<List<ModelStatus>> unload = unload("m");
    write("m", "1", negation());
    Future<List<ModelStatus>> loadAgain = change("m");
    await(Future.join(load, unload, loadAgain).otherwiseEmpty());
    assertEquals(List.of(ModelReadyState.READY), await(loadAgain).stream().map(ModelStatus::state).toList());
    assertEquals(-2f, first(await(infer("m", 2, 0))), "the last call's files serve");

    Future<List<ModelStatus>> again = change("m");
    Future<List<ModelStatus>> last = unload("m");
    await(Future.join(again, last).otherwiseEmpty());
    assertEquals("unloaded", await(last).get(0).reason());
  }

  @Test
  void aVersionThatFailsToLoadAgainLeavesTheOneLoadedBeforeServing() throws Exception {
    write("m", "1", OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    await(change("m"));
    write("m", "1", "not an onnx file".getBytes());
    Exception failed = assertThrows(Exception.class, () -> await(change("m")));
    assertTrue(failed.getMessage().contains("did not load"), failed.getMessage());
    assertEquals(5f, first(await(infer("m", 5, 6))), "the previous model keeps serving");
    assertEquals(ModelReadyState.READY, lifecycle.statuses().get(0).state());
  }

  @Test
  void aVersionWhoseFileFailsItsSha256IsUnavailableWithTheReasonNeverReachesOnnxRuntimeAndTheOthersServe()
      throws Exception {
    byte[] identity = OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2);
    byte[] notOnnx = "not an onnx file".getBytes();
    write("m", "1", identity);                                   // the configuration's digest matches
    write("m", "2", notOnnx);                                    // the configuration's digest does not
    write("m", "3", identity);                                   // its sidecar's does not
    write("m", "4", identity);                                   // configuration and sidecar disagree
    write("m", "5", identity);                                   // its sidecar holds no digest
    Files.writeString(repo.resolve("m/config.yaml"), "version_policy: {all: {}}\nsha256: {1: '" + Sha256.hex(identity)
        + "', 2: '" + OTHER + "', 4: '" + Sha256.hex(identity) + "'}\n");
    Files.writeString(repo.resolve("m/3/model.onnx.sha256"), OTHER + "  model.onnx\n");
    Files.writeString(repo.resolve("m/4/model.onnx.sha256"), OTHER);
    Files.writeString(repo.resolve("m/5/model.onnx.sha256"), "see the release notes");
    write("plain", "1", notOnnx);                                // no digest: ONNX Runtime reads it, and says why not
    List<ModelDefinition> defs = new ModelRepository(repo).scan();
    lifecycle.declare(defs);
    loadAll(defs);

    Map<String, String> reasons = lifecycle.statuses().stream()
        .collect(Collectors.toMap(st -> st.name() + "/" + st.version(), ModelStatus::reason));
    assertEquals("", reasons.get("m/1"));
    assertEquals("SHA-256 mismatch: 2/model.onnx is " + Sha256.hex(notOnnx) + ", expected " + OTHER
        + " (the configuration's sha256 of version 2): not loaded", reasons.get("m/2"),
        "the digest's reason, not ONNX Runtime's: the file never reached it");
    assertTrue(reasons.get("plain/1").contains("Protobuf parsing failed"), "what ONNX Runtime says of the same file: "
        + reasons.get("plain/1"));
    assertEquals("SHA-256 mismatch: 3/model.onnx is " + Sha256.hex(identity) + ", expected " + OTHER
        + " (3/model.onnx.sha256): not loaded", reasons.get("m/3"));
    assertEquals("SHA-256 sources disagree for 4/model.onnx: the configuration's sha256 of version 4 is "
        + Sha256.hex(identity) + ", 4/model.onnx.sha256 is " + OTHER + ": not loaded", reasons.get("m/4"));
    assertTrue(reasons.get("m/5").startsWith("5/model.onnx.sha256 holds no SHA-256 digest"), reasons.get("m/5"));
    Map<String, ModelReadyState> end = states(lifecycle.statuses());
    for (String v : List.of("2", "3", "4", "5")) {
      assertEquals(ModelReadyState.UNAVAILABLE, end.get("m/" + v), v);
    }

    assertEquals("1", lifecycle.find("m", "").status().version(), "the version that matched serves");
    assertEquals(3f, first(await(infer("m", 3, 4))));
    assertEquals(Sha256.hex(identity), lifecycle.find("m", "1").status().config().getJsonObject("sha256").getString("1"),
        "its served configuration shows the digest its file was checked against");
  }

  @Test
  void filesThatFailedTheirCheckAreNotReadAgainUntilTheyChange() throws Exception {
    byte[] identity = OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2);
    write("m", "1", identity);
    Files.writeString(repo.resolve("m/1/model.onnx.sha256"), OTHER);
    lifecycle.declare(new ModelRepository(repo).scan());
    loadAll(new ModelRepository(repo).scan());
    assertEquals(ModelReadyState.UNAVAILABLE, lifecycle.statuses().get(0).state());
    String reason = lifecycle.statuses().get(0).reason();

    // a poll reads the repository again: the same files, so no reload (no LOADING, no state change to announce)
    int before = reports.size();
    loadAll(new ModelRepository(repo).scan());
    Exception again = assertThrows(Exception.class, () -> await(change("m")));
    assertTrue(again.getMessage().contains(reason), "an explicit load answers the same reason: " + again.getMessage());
    assertEquals(before, reports.size(), "nothing changed: " + reports.subList(before, reports.size()));

    Files.writeString(repo.resolve("m/1/model.onnx.sha256"), Sha256.hex(identity) + "  model.onnx\n");
    loadAll(new ModelRepository(repo).scan());
    assertEquals(ModelReadyState.READY, lifecycle.statuses().get(0).state(), "a fixed sidecar is a change: it loads");
    assertEquals(3f, first(await(infer("m", 3, 4))));
  }

  @Test
  void aReloadThatFailsItsCheckLeavesTheOneLoadedBeforeServing() throws Exception {
    write("m", "1", OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 2));
    await(change("m"));
    Files.writeString(repo.resolve("m/1/model.onnx.sha256"), OTHER);
    Exception failed = assertThrows(Exception.class, () -> await(change("m")));
    assertTrue(failed.getMessage().contains("SHA-256 mismatch: 1/model.onnx"), failed.getMessage());
    assertEquals(ModelReadyState.READY, lifecycle.statuses().get(0).state());
    assertEquals(5f, first(await(infer("m", 5, 6))), "the version loaded before keeps serving");
  }

  @Test
  void theSimulatedDeviceChecksTheFileToo() throws Exception {
    open(new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), new SimConfig(1, 0, 0)));
    write("m", "1", "not an onnx file".getBytes());
    Files.writeString(repo.resolve("m/1/model.onnx.sha256"), OTHER);
    Exception failed = assertThrows(Exception.class, () -> await(change("m")));
    assertTrue(failed.getMessage().contains("SHA-256 mismatch: 1/model.onnx is "), failed.getMessage());
    assertEquals(ModelReadyState.UNAVAILABLE, lifecycle.statuses().get(0).state());
  }

  /** A model version, every version of the model served (Triton's default serves only the latest). */
  private void write(String model, String version, byte[] onnx) throws Exception {
    Path dir = repo.resolve(model).resolve(version);
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), onnx);
    Files.writeString(repo.resolve(model).resolve("config.yaml"), "version_policy: {all: {}}\n");
  }

  private static Map<String, ModelReadyState> states(List<ModelStatus> statuses) {
    return statuses.stream().collect(Collectors.toMap(s -> s.name() + "/" + s.version(), ModelStatus::state));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
