package io.maas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The defaults live in conf/maas.yaml: the typed records read every key of it with no fallback of their own,
 * and the constants the code keeps for tests and embedders equal it.
 */
class DefaultsTest {
  private static Vertx vertx;
  private static JsonObject defaults;

  @BeforeAll
  static void readDefaults() {
    vertx = Vertx.vertx();
    defaults = KnownKeys.bundledDefaults(vertx).await();
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  /** Were a key read with a fallback, or not read at all, taking it away would go unnoticed. */
  @Test
  void everyKeyOfTheDefaultsIsReadAndHasNoOtherDefault() {
    for (String key : KnownKeys.of(defaults).leaves()) {
      JsonObject without = defaults.copy();
      String[] path = key.split("\\.");
      JsonObject parent = without;
      for (int i = 0; i < path.length - 1; i++) {
        parent = parent.getJsonObject(path[i]);
      }
      parent.remove(path[path.length - 1]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaasConfig.fromJson(without),
          key + " was taken away and nothing missed it");
      assertEquals("configuration key '" + key + "' is missing: conf/maas.yaml sets every key, is it an old copy?",
          e.getMessage());
    }
  }

  @Test
  void theCodesConstantsAreTheDefaultsOfConfMaasYaml() {
    MaasConfig c = MaasConfig.fromJson(defaults);
    GatewayConfig g = c.gateway();
    assertEquals(GatewayConfig.DEFAULT_MAX_REQUEST_TIMEOUT_MS, g.maxRequestTimeoutMillis());
    assertEquals(GatewayConfig.DEFAULT_MAX_IN_FLIGHT_PER_WORKER, g.maxInFlightPerWorker());
    assertEquals(GatewayConfig.BreakerConfig.DEFAULT, g.breaker());
    assertEquals(GatewayConfig.ConnectionLimits.DEFAULT, g.connections());
    assertEquals(GatewayConfig.BodyLimits.DEFAULT, g.bodies());
    assertEquals(HedgeConfig.DEFAULT, g.hedge());
    assertEquals(PlacementConfig.DEFAULT, g.placement());
    assertEquals(ServerTls.OFF, g.tls());
    assertEquals(false, g.grpcOnHttpPort());

    WorkerConfig w = c.worker();
    assertEquals(WorkerConfig.DEFAULT_DRAIN_GRACE_MS, w.drainGraceMillis());
    assertEquals(WorkerConfig.DEFAULT_DRAIN_TIMEOUT_MS, w.drainTimeoutMillis());
    assertEquals(WorkerConfig.DEFAULT_MAX_QUEUE_SIZE, w.maxQueueSize());
    assertEquals(ModelControlConfig.DEFAULT, w.control());
    assertEquals(List.of(), w.models());
    SessionConfig session = w.slots().get(0).session();
    assertEquals(SessionConfig.DEFAULT_EXECUTION_MODE, session.executionMode());
    assertEquals(SessionConfig.DEFAULT_CPU_ARENA, session.cpuArena());
    assertEquals(SessionConfig.DEFAULT_MEMORY_PATTERN, session.memoryPattern());
    assertEquals(SessionConfig.DEFAULT_ALLOW_SPINNING, session.allowSpinning());
    assertEquals(new SlotConfig("cpu", List.of(), new SessionConfig(2, 1, "all")), w.slots().get(0),
        "one cpu slot, the sim settings and memory budget of SlotConfig's own defaults");

    ClusterConfig cluster = c.cluster();
    assertEquals(ClusterConfig.DEFAULT_HEARTBEAT_SECONDS, cluster.heartbeatSeconds());
    assertEquals(ClusterConfig.DEFAULT_MEMBER_TIMEOUT_SECONDS, cluster.memberTimeoutSeconds());
    assertEquals(ClusterConfig.DEFAULT_REJOIN_CHECK_SECONDS, cluster.rejoinCheckSeconds());
    assertEquals(ClusterTls.OFF, cluster.tls());
  }

  /** A slot object may set the session keys for itself: the same keys as worker.session. */
  @Test
  void aSlotsSessionKeysAreThoseOfWorkerSession() {
    assertEquals(defaults.getJsonObject("worker").getJsonObject("session").fieldNames(),
        new java.util.LinkedHashSet<>(SessionConfig.KEYS));
  }

  @Test
  void aMissingSectionIsNamed() {
    JsonObject without = defaults.copy();
    without.getJsonObject("gateway").remove("tls");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaasConfig.fromJson(without));
    assertTrue(e.getMessage().contains("'gateway.tls' is missing"), e.getMessage());
  }
}
