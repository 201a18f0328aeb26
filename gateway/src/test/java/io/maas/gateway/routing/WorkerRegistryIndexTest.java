package io.maas.gateway.routing;

import static io.maas.gateway.routing.AnnouncedWorkers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry's model index (models, and the candidate workers of each version) follows announcements, departures
 * and expiry as they happen, and a call between them builds nothing: it returns the same snapshot.
 */
class WorkerRegistryIndexTest {
  private static final long LONG_TTL = 60_000;

  private AnnouncedWorkers workers;
  private WorkerRegistry registry;

  @BeforeEach
  void start() throws Exception {
    workers = new AnnouncedWorkers();
    registry = workers.registry();
  }

  @AfterEach
  void stop() throws Exception {
    workers.close();
  }

  private static ModelStatus status(String model, String version, ModelReadyState state) {
    return new ModelStatus(model, version, state, "", "onnxruntime_onnx", 0, List.of(), List.of());
  }

  private List<String> ready(String model) {
    return registry.model(model).map(ModelView::readyVersions).orElse(List.of());
  }

  @Test
  void anAnnouncedModelEntersTheIndexOnceItsWorkerIsReachable() throws Exception {
    assertEquals(Map.of(), registry.models());
    assertEquals(Optional.empty(), registry.model("m"));
    workers.announce("w1", LONG_TTL, 0, status("m", "1", ModelReadyState.READY));
    await(() -> ready("m").equals(List.of("1")), "m version 1 ready in the index");
    assertEquals(List.of("m"), List.copyOf(registry.models().keySet()));
    assertEquals("1", registry.resolve("m", "").version());
  }

  @Test
  void betweenChangesEveryCallReturnsTheSameSnapshot() throws Exception {
    workers.announce("w1", LONG_TTL, 0, status("m", "1", ModelReadyState.READY));
    await(() -> ready("m").equals(List.of("1")), "m ready");
    Map<String, ModelView> before = registry.models();
    ModelView view = registry.model("m").orElseThrow();
    assertSame(before, registry.models());
    assertSame(view, registry.model("m").orElseThrow());
    // the same models again, with another queue depth: the worker is refreshed, the index is not rebuilt
    workers.announce("w1", LONG_TTL, 7, status("m", "1", ModelReadyState.READY));
    await(() -> registry.workers().iterator().next().announcement().queueDepth() == 7, "the refresh seen");
    assertSame(before, registry.models(), "an announcement that changes no model status keeps the snapshot");
    assertSame(view, registry.model("m").orElseThrow());
  }

  @Test
  void aVersionChangeIsReflected() throws Exception {
    workers.announce("w1", LONG_TTL, 0, status("m", "1", ModelReadyState.READY));
    await(() -> ready("m").equals(List.of("1")), "version 1 ready");
    Map<String, ModelView> before = registry.models();
    workers.announce("w1", LONG_TTL, 0, status("m", "1", ModelReadyState.UNLOADING),
        status("m", "2", ModelReadyState.READY));
    await(() -> ready("m").equals(List.of("2")), "version 2 ready, 1 unloading");
    assertNotSame(before, registry.models());
    assertEquals(List.of("1", "2"), registry.model("m").orElseThrow().knownVersions());
    assertEquals("2", registry.resolve("m", "").version());
  }

  @Test
  void aNewModelOfAKnownWorkerIsReflected() throws Exception {
    workers.announce("w1", LONG_TTL, 0, status("a", "1", ModelReadyState.READY));
    await(() -> ready("a").equals(List.of("1")), "a ready");
    workers.announce("w1", LONG_TTL, 0, status("a", "1", ModelReadyState.READY),
        status("b", "3", ModelReadyState.READY));
    await(() -> ready("b").equals(List.of("3")), "b ready");
    assertEquals(List.of("a", "b"), List.copyOf(registry.models().keySet()), "in name order");
  }

  @Test
  void aDepartedWorkersModelsLeaveTheIndexButTheModelStaysKnown() throws Exception {
    workers.announce("w1", LONG_TTL, 0, status("m", "1", ModelReadyState.READY));
    workers.announce("w2", LONG_TTL, 0, status("m", "2", ModelReadyState.READY));
    await(() -> ready("m").equals(List.of("1", "2")), "both versions ready");
    workers.depart("w2");
    await(() -> ready("m").equals(List.of("1")), "w2's version gone");
    workers.depart("w1");
    await(() -> registry.model("m").orElseThrow().statuses().isEmpty(), "no worker holds m");
    assertTrue(registry.knows("m"), "a model whose workers all left is still known (503, not 404)");
    assertEquals(List.of("m"), List.copyOf(registry.models().keySet()));
  }

  private List<String> candidates(String model, String version) {
    return registry.candidates(model, version).stream().map(WorkerEndpoint::workerId).sorted().toList();
  }

  @Test
  void theCandidatesOfAVersionAreTheReachableWorkersHoldingItReady() throws Exception {
    assertEquals(List.of(), registry.candidates("m", "1"));
    workers.announce("w1", LONG_TTL, 0, status("m", "1", ModelReadyState.READY));
    workers.announce("w2", LONG_TTL, 0, status("m", "1", ModelReadyState.READY),
        status("m", "2", ModelReadyState.READY));
    await(() -> candidates("m", "1").equals(List.of("w1", "w2")), "both hold version 1");
    assertEquals(List.of("w2"), candidates("m", "2"));
    List<WorkerEndpoint> before = registry.candidates("m", "1");
    assertSame(before, registry.candidates("m", "1"), "between changes: the same list, nothing filtered anew");
    workers.announce("w1", LONG_TTL, 0, status("m", "1", ModelReadyState.UNLOADING));
    await(() -> candidates("m", "1").equals(List.of("w2")), "w1 unloading version 1");
    workers.depart("w2");
    await(() -> registry.candidates("m", "1").isEmpty(), "w2 gone");
    assertEquals(List.of(), registry.candidates("m", "2"));
    assertEquals(List.of(), registry.candidates("other", "1"));
  }

  @Test
  void anExpiredWorkersModelsLeaveTheIndex() throws Exception {
    workers.announce("w1", LONG_TTL, 0, status("m", "1", ModelReadyState.READY));
    workers.announce("short", 300, 0, status("m", "2", ModelReadyState.READY));
    await(() -> ready("m").equals(List.of("1", "2")), "both versions ready");
    // "short" announces no more: the sweep drops it once its 300 ms pass
    await(() -> ready("m").equals(List.of("1")), "the expired worker's version gone");
    assertEquals(1, registry.model("m").orElseThrow().statuses().size());
    assertEquals(List.of("w1"), candidates("m", "1"));
    assertEquals(List.of(), candidates("m", "2"));
  }
}
