package io.maas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sim slot's settings, the graceful-leave times and the cluster address, read through the real loader. */
class SlotAndClusterConfigTest {

  private Vertx vertx;
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private MaasConfig load(String... args) {
    return new ConfigLoader(env, new HashMap<>()).load(vertx, CommandLine.parse(args)).await();
  }

  @Test
  void simSlotGetsDefaultSimulationSettings() {
    env.put("MAAS_WORKER_SLOTS", "sim");
    SlotConfig slot = load().worker().slots().get(0);
    assertTrue(slot.isSim());
    assertFalse(slot.isGpu());
    assertEquals(List.of(), slot.executionProviders());
    assertEquals(new SimConfig(5, 1, 0), slot.sim());
    assertEquals(5 + 8, slot.sim().holdMillis(8));
  }

  @Test
  void simSlotObjectSetsItsSimulationSettings() {
    SlotConfig slot = load("--set",
        "worker.slots=[{\"device\":\"sim\",\"sim_base_ms\":20,\"sim_per_item_ms\":3,\"sim_fail_for_ms\":500}]")
        .worker().slots().get(0);
    assertEquals(new SimConfig(20, 3, 500), slot.sim());
  }

  @Test
  void negativeSimTimeFailsNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> load("--set", "worker.slots=[{\"device\":\"sim\",\"sim_per_item_ms\":-1}]"));
    assertTrue(e.getMessage().contains("sim_per_item_ms"), e.getMessage());
  }

  @Test
  void unknownDeviceNamesTheThreeKinds() {
    env.put("MAAS_WORKER_SLOTS", "tpu");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::load);
    assertTrue(e.getMessage().contains("'cpu', 'cuda:N' or 'sim'"), e.getMessage());
  }

  @Test
  void drainTimesHaveDefaultsAndCanBeSet() {
    WorkerConfig defaults = load().worker();
    assertEquals(1000, defaults.drainGraceMillis());
    assertEquals(30000, defaults.drainTimeoutMillis());
    env.put("MAAS_WORKER_DRAIN_GRACE_MS", "0");
    assertEquals(0, load().worker().drainGraceMillis());
  }

  @Test
  void clusterHostNameResolvesToItsAddress() {
    assertEquals("127.0.0.1", load("--cluster-host", "localhost").cluster().bindAddress());
    assertEquals("127.0.0.1", load().cluster().bindAddress());
  }

  @Test
  void wildcardClusterHostIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> load("--cluster-host", "0.0.0.0").cluster().bindAddress());
    assertTrue(e.getMessage().contains("wildcard"), e.getMessage());
  }
}
