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
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.onnx.SampleModels;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.runtime.OrtRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slot's model table on a real ONNX Runtime slot, with no event bus: every declared version starts
 * LOADING and ends READY or UNAVAILABLE with its reason; lookups pick the named or the highest serving
 * version, and say NOT_FOUND or UNAVAILABLE as the case is; each state change is reported.
 */
class ModelLifecycleTest {
  @TempDir
  Path repo;

  private Vertx vertx;
  private WorkerExecutor executor;
  private DeviceSlot slot;
  private SimpleMeterRegistry meters;
  private final List<List<ModelStatus>> reports = new ArrayList<>();
  private ModelLifecycle lifecycle;

  @BeforeEach
  void openSlot() throws Exception {
    vertx = Vertx.vertx();
    executor = vertx.createSharedWorkerExecutor("lifecycle-test", 2);
    slot = await(DeviceSlot.open(vertx, executor, new OrtRuntime(OrtEnvironment.getEnvironment()),
        new SlotConfig("cpu", List.of(), new SessionConfig(1, 1, "all")), 0, 16));
    meters = new SimpleMeterRegistry();
    lifecycle = new ModelLifecycle("w1", meters, () -> reports.add(lifecycle.statuses()));
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
    Promise<Void> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> lifecycle.loadAll(slot, defs).onComplete(done));
    await(done.future());
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
