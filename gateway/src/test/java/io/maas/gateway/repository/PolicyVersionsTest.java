package io.maas.gateway.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maas.config.GatewayConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerGuard;
import io.maas.model.ModelPolicy;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import io.maas.model.WorkerResources;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A load's traffic weights and labels name loaded versions; on placed workers, versions their repositories hold. */
class PolicyVersionsTest {
  private static final GatewayConfig CONFIG = new GatewayConfig("127.0.0.1", 0, 0, 1, 1, 1000);

  private static WorkerEndpoint worker(String id, boolean placed, ModelStatus... models) {
    WorkerResources resources = new WorkerResources(placed, 0, 0, List.of(), 0);
    return new WorkerEndpoint(new WorkerAnnouncement(id, "node", "maas.worker." + id, "cpu", List.of(models), 3000, 0,
        false, 1, resources), new WorkerGuard(id, CONFIG), System.nanoTime());
  }

  private static ModelStatus status(String version, ModelReadyState state) {
    return new ModelStatus("m", version, state, state == ModelReadyState.UNAVAILABLE ? "unloaded" : "",
        "onnxruntime_onnx", 0, List.of(), List.of());
  }

  private static ModelPolicy policy(String json) {
    return ModelPolicy.fromJson(new JsonObject(json));
  }

  private static String refused(List<WorkerEndpoint> workers, JsonObject config, ModelPolicy policy) {
    MaasException e = assertThrows(MaasException.class, () -> PolicyVersions.check(workers, "m", config, policy));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    return e.getMessage();
  }

  @Test
  void weightsAndLabelsOnReadyVersionsAreTaken() {
    List<WorkerEndpoint> workers = List.of(worker("a", false, status("1", ModelReadyState.READY)),
        worker("b", false, status("2", ModelReadyState.READY)));
    PolicyVersions.check(workers, "m", null, policy("{\"traffic\": {\"1\": 90, \"2\": 10}, "
        + "\"version_labels\": {\"stable\": 1, \"canary\": 2}}"));
  }

  @Test
  void aVersionNotLoadedOrUnknownIsRefusedNamingTheParameter() {
    List<WorkerEndpoint> workers = List.of(worker("a", false, status("1", ModelReadyState.READY),
        status("2", ModelReadyState.UNAVAILABLE)));
    assertEquals("traffic names version 2 of model 'm', which is not loaded; loaded: [1]",
        refused(workers, null, policy("{\"traffic\": {\"1\": 90, \"2\": 10}}")));
    assertEquals("traffic names version 9 of model 'm', which is not loaded; loaded: [1]",
        refused(workers, null, policy("{\"traffic\": {\"9\": 1}}")));
    assertEquals("version_labels: label 'canary' names version 2 of model 'm', which is not loaded; loaded: [1]",
        refused(workers, null, policy("{\"version_labels\": {\"canary\": 2}}")));
    assertEquals("parameter 'config': traffic names version 2 of model 'm', which is not loaded; loaded: [1]",
        refused(workers, new JsonObject("{\"traffic\": {\"2\": 1}}"), ModelPolicy.NONE));
    PolicyVersions.check(workers, "m", new JsonObject("{\"traffic\": {\"2\": 1}}"), policy("{\"traffic\": {\"1\": 1}}"));
  }

  @Test
  void whenEveryHolderIsPlacedAVersionInTheirRepositoriesIsTaken() {
    List<WorkerEndpoint> placed = List.of(worker("a", true, status("1", ModelReadyState.READY),
        status("2", ModelReadyState.UNAVAILABLE)), worker("c", false));
    PolicyVersions.check(placed, "m", null, policy("{\"traffic\": {\"2\": 100}, \"version_labels\": {\"next\": 2}}"));
    assertEquals("traffic names version 3 of model 'm', which no worker's repository holds; versions: [1, 2]",
        refused(placed, null, policy("{\"traffic\": {\"3\": 1}}")));

    List<WorkerEndpoint> mixed = List.of(worker("a", true, status("2", ModelReadyState.UNAVAILABLE)),
        worker("b", false, status("1", ModelReadyState.READY)));
    assertEquals("traffic names version 2 of model 'm', which is not loaded; loaded: [1]",
        refused(mixed, null, policy("{\"traffic\": {\"2\": 100}}")));
  }

  @Test
  void aModelNoWorkerHoldsIsLeftToTheLoadsOwnAnswer() {
    PolicyVersions.check(List.of(worker("a", false)), "m", null, policy("{\"traffic\": {\"2\": 1}}"));
  }
}
