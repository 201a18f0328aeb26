package io.maas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime session tuning: defaults, overrides per slot and from every source, and named errors. */
class SessionConfigTest {
  private Vertx vertx;
  private final Map<String, String> env = new HashMap<>();
  private final Map<Object, Object> props = new HashMap<>();

  @TempDir
  Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private MaasConfig load(String... args) {
    return new ConfigLoader(env, props).load(vertx, CommandLine.parse(args)).await();
  }

  @Test
  void defaultsSuitASmallSharedCpuMachine() {
    SessionConfig s = load().worker().slots().get(0).session();
    assertEquals(new SessionConfig(2, 1, "all", "sequential", true, true, false), s);
    assertEquals(new SessionConfig(2, 1, "all"), s);
    assertFalse(s.isParallel());
  }

  @Test
  void aSlotOverridesTheSessionDefaultsItNames() throws Exception {
    Path file = dir.resolve("slots.yaml");
    Files.writeString(file, """
        worker:
          session:
            cpu_arena: false
          slots:
            - device: cpu
              execution_mode: parallel
              inter_op_threads: 2
              allow_spinning: true
            - cpu
        """);
    List<SlotConfig> slots = load("--config", file.toString()).worker().slots();
    assertEquals(new SessionConfig(2, 2, "all", "parallel", false, true, true), slots.get(0).session());
    assertEquals(new SessionConfig(2, 1, "all", "sequential", false, true, false), slots.get(1).session());
  }

  @Test
  void flagsAndPropertiesSetTheNewKeys() {
    props.put("maas.worker.session.execution_mode", "PARALLEL");
    SessionConfig s = load("--set", "worker.session.allow_spinning=true", "--set", "worker.session.memory_pattern=false")
        .worker().slots().get(0).session();
    assertFalse(s.memoryPattern());
    assertTrue(s.isParallel());
    assertEquals("parallel", s.executionMode());
    assertTrue(s.allowSpinning());
  }

  @Test
  void badValuesFailNamingTheKeyAndTheValue() {
    String[][] cases = {
        {"execution_mode", "fast", "execution_mode must be sequential or parallel, not 'fast'"},
        {"cpu_arena", "maybe", "cpu_arena must be true or false, not 'maybe'"},
        {"memory_pattern", "3", "memory_pattern must be true or false, not '3'"},
        {"allow_spinning", "yes", "allow_spinning must be true or false, not 'yes'"},
        {"intra_op_threads", "-1", "intra_op_threads must be 0 (ORT's default) or more, not -1"},
        {"inter_op_threads", "two", "inter_op_threads must be a whole number, not 'two'"},
        {"optimization_level", "fastest", "optimization_level must be none, basic, extended or all, not 'fastest'"}};
    for (String[] c : cases) {
      props.clear();
      props.put("maas.worker.session." + c[0], c[1]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::load, c[0]);
      assertTrue(e.getMessage().contains(c[2]), c[2] + " not in: " + e.getMessage());
    }
  }
}
