package io.maas.gateway.edge;

import static io.maas.gateway.routing.AnnouncedWorkers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.routing.AnnouncedWorkers;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.model.ModelPolicy;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The model-ready rule and the metadata both KServe V2 edges answer from. */
class ModelQueriesTest {
  private AnnouncedWorkers workers;
  private WorkerRegistry registry;
  private ModelQueries queries;

  @BeforeEach
  void start() throws Exception {
    workers = new AnnouncedWorkers();
    registry = workers.registry();
    queries = new ModelQueries(registry);
    workers.announce("w1", 60_000, 0, status("1", ModelReadyState.READY), status("2", ModelReadyState.LOADING));
    await(() -> registry.model("m").map(v -> v.statuses().size() == 2).orElse(false), "m announced");
  }

  @AfterEach
  void stop() throws Exception {
    workers.close();
  }

  private static ModelStatus status(String version, ModelReadyState state) {
    return new ModelStatus("m", version, state, "", "onnxruntime_onnx", 0, List.of(), List.of());
  }

  @Test
  void aModelIsReadyWhenSomeVersionIs() {
    assertEquals(new ModelQueries.Readiness("m", "", true, ""), queries.ready("m", ""));
  }

  @Test
  void aVersionIsReadyOnlyWhenItIsReadySomewhere() {
    assertEquals(new ModelQueries.Readiness("m", "1", true, ""), queries.ready("m", "1"));
    assertEquals(new ModelQueries.Readiness("m", "2", false, "it is loading"), queries.ready("m", "2"));
  }

  @Test
  void aLabelIsAnsweredForTheVersionItNames() {
    registry.policies().wanted("m", ModelPolicy.fromJson(new JsonObject().put("version_labels",
        new JsonObject().put("canary", 2))));
    assertEquals(new ModelQueries.Readiness("m", "2", false, "it is loading"), queries.ready("m", "canary"));
    MaasException e = assertThrows(MaasException.class, () -> queries.ready("m", "stable"));
    assertEquals(ErrorCode.NOT_FOUND, e.code());
  }

  @Test
  void anUnknownModelOrVersionIsNotFound() {
    MaasException model = assertThrows(MaasException.class, () -> queries.ready("other", ""));
    assertEquals(ErrorCode.NOT_FOUND, model.code());
    assertEquals("unknown model 'other'", model.getMessage());
    MaasException version = assertThrows(MaasException.class, () -> queries.ready("m", "9"));
    assertEquals(ErrorCode.NOT_FOUND, version.code());
    assertEquals("unknown version 9 of model 'm'", version.getMessage());
  }

  @Test
  void whenNoWorkerHoldsTheModelAnyVersionIsMerelyNotReady() throws Exception {
    workers.depart("w1");
    await(() -> registry.model("m").orElseThrow().statuses().isEmpty(), "w1 gone");
    assertEquals(new ModelQueries.Readiness("m", "9", false, "no worker holds it now"), queries.ready("m", "9"));
    assertEquals(new ModelQueries.Readiness("m", "", false, "no worker holds it now"), queries.ready("m", ""));
  }

  @Test
  void metadataDescribesTheServedVersionAndListsTheReadyOnes() {
    ModelQueries.Metadata metadata = queries.metadata("m", "");
    assertEquals("1", metadata.served().version());
    assertEquals(List.of("1"), metadata.readyVersions());
    MaasException loading = assertThrows(MaasException.class, () -> queries.metadata("m", "2"));
    assertEquals(ErrorCode.UNAVAILABLE, loading.code());
  }
}
