package io.maas.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtRuntimeTest {

  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
  private final OrtRuntime runtime = new OrtRuntime(ENV);

  @TempDir
  Path dir;

  private Path identityModel() throws Exception {
    Path file = dir.resolve("model.onnx");
    Files.write(file, OnnxModelBuilder.identity("id", ElemType.FLOAT, -1, 3));
    return file;
  }

  /** Opens a session with the options and checks that the identity model gives back its input. */
  private void assertRuns(OrtSession.SessionOptions options) throws Exception {
    float[][] input = {{1f, -2.5f, 3.75f}, {0f, 1e-3f, -1e9f}};
    try (OrtSession session = runtime.openSession(identityModel(), options);
        OnnxTensor in = OnnxTensor.createTensor(ENV, input);
        OrtSession.Result result = session.run(Map.of("INPUT0", in))) {
      float[][] out = (float[][]) result.get("OUTPUT0").orElseThrow().getValue();
      assertArrayEquals(input[0], out[0]);
      assertArrayEquals(input[1], out[1]);
    }
  }

  /** A host with an NVIDIA driver: there a CUDA slot may really run on the GPU (with the GPU build). */
  private static boolean nvidiaHost() {
    return Files.exists(Path.of("/dev/nvidiactl"));
  }

  @Test
  void cpuSlotRunsOnCpu() throws Exception {
    SlotConfig slot = new SlotConfig("cpu", List.of(), new SessionConfig(1, 1, "all"));
    try (OrtRuntime.SlotOptions options = runtime.optionsFor(slot)) {
      assertEquals("cpu", options.effectiveDevice());
      assertRuns(options.options());
    }
  }

  @Test
  void cudaSlotFallsBackToCpuWithoutAGpu() throws Exception {
    // The CPU build cannot add CUDA at all; the GPU build (mvn -Dgpu) lists it but cannot enable it
    // without the driver and CUDA libraries. Either way a host without a GPU falls back to the CPU.
    assumeFalse(nvidiaHost(), "this host has an NVIDIA GPU");
    SlotConfig slot = new SlotConfig("cuda:0", List.of("tensorrt", "cuda"), new SessionConfig(1, 1, "basic"));
    try (OrtRuntime.SlotOptions options = runtime.optionsFor(slot)) {
      assertTrue(options.effectiveDevice().startsWith("cpu (fallback from cuda:0"), options.effectiveDevice());
      assertRuns(options.options());
    }
  }

  @Test
  void unknownProviderIsAConfigurationError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SlotConfig("cuda:1", List.of("rocm"), new SessionConfig(0, 0, "none")));
    assertTrue(e.getMessage().contains("rocm"), e.getMessage());
  }

  @Test
  void everyOptimizationLevelOpensARunnableSession() throws Exception {
    for (String level : List.of("none", "basic", "extended", "all")) {
      SlotConfig slot = new SlotConfig("cpu", List.of(), new SessionConfig(2, 1, level));
      try (OrtRuntime.SlotOptions options = runtime.optionsFor(slot)) {
        assertRuns(options.options());
      }
    }
  }

  @Test
  void everyExecutionModeArenaPatternAndSpinningChoiceOpensARunnableSession() throws Exception {
    for (String mode : List.of("sequential", "parallel")) {
      for (boolean flag : List.of(true, false)) {
        SessionConfig session = new SessionConfig(2, 2, "all", mode, flag, !flag, flag);
        try (OrtRuntime.SlotOptions options = runtime.optionsFor(new SlotConfig("cpu", List.of(), session))) {
          assertRuns(options.options());
        }
      }
    }
  }

  @Test
  void spinningIsOffByDefaultAndOnWhenAsked() throws Exception {
    try (OrtRuntime.SlotOptions options =
        runtime.optionsFor(new SlotConfig("cpu", List.of(), new SessionConfig(2, 1, "all")))) {
      assertEquals("0", options.options().getConfigEntries().get(OrtRuntime.INTRA_OP_SPINNING));
      assertEquals("0", options.options().getConfigEntries().get(OrtRuntime.INTER_OP_SPINNING));
    }
    SessionConfig spinning = new SessionConfig(2, 1, "all", "sequential", true, true, true);
    try (OrtRuntime.SlotOptions options = runtime.optionsFor(new SlotConfig("cpu", List.of(), spinning))) {
      assertEquals("1", options.options().getConfigEntries().get(OrtRuntime.INTRA_OP_SPINNING));
    }
  }
}
