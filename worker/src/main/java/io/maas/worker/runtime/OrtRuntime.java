package io.maas.worker.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide ONNX Runtime environment, wrapped once and passed to whoever opens sessions.
 *
 * <p>For a {@code cuda:N} slot it adds the slot's execution providers (TensorRT, CUDA) in order. On a
 * host without them (the CPU build of ONNX Runtime, or no CUDA libraries) adding a provider fails: the
 * slot then runs on the CPU provider and says so in its device name and in the log.
 */
public final class OrtRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);
  /** ORT's session config keys (onnxruntime_session_options_config_keys.h). */
  static final String INTRA_OP_SPINNING = "session.intra_op.allow_spinning";
  static final String INTER_OP_SPINNING = "session.inter_op.allow_spinning";

  private final OrtEnvironment env;

  public OrtRuntime(OrtEnvironment env) {
    this.env = env;
  }

  public OrtEnvironment env() {
    return env;
  }

  /** Session options for a slot, and the device the sessions will really run on. */
  public record SlotOptions(SessionOptions options, String effectiveDevice) implements AutoCloseable {
    @Override
    public void close() {
      options.close();
    }
  }

  public SlotOptions optionsFor(SlotConfig slot) throws OrtException {
    SessionOptions options = new SessionOptions();
    SessionConfig s = slot.session();
    if (s.intraOpThreads() > 0) {
      options.setIntraOpNumThreads(s.intraOpThreads());
    }
    if (s.interOpThreads() > 0) {
      options.setInterOpNumThreads(s.interOpThreads());
    }
    options.setOptimizationLevel(switch (s.optimizationLevel()) {
      case "none" -> OptLevel.NO_OPT;
      case "basic" -> OptLevel.BASIC_OPT;
      case "extended" -> OptLevel.EXTENDED_OPT;
      default -> OptLevel.ALL_OPT;
    });
    options.setExecutionMode(s.isParallel() ? ExecutionMode.PARALLEL : ExecutionMode.SEQUENTIAL);
    options.setCPUArenaAllocator(s.cpuArena());
    options.setMemoryPatternOptimization(s.memoryPattern());
    String spin = s.allowSpinning() ? "1" : "0";
    options.addConfigEntry(INTRA_OP_SPINNING, spin);
    options.addConfigEntry(INTER_OP_SPINNING, spin);
    LOG.info("slot {}: ONNX Runtime sessions with intra_op_threads={} inter_op_threads={} optimization_level={} "
        + "execution_mode={} cpu_arena={} memory_pattern={} allow_spinning={}", slot.device(), s.intraOpThreads(),
        s.interOpThreads(), s.optimizationLevel(), s.executionMode(), s.cpuArena(), s.memoryPattern(),
        s.allowSpinning());
    if (!slot.isGpu()) {
      return new SlotOptions(options, "cpu");
    }
    StringBuilder failures = new StringBuilder();
    int added = 0;
    for (String provider : slot.executionProviders()) {
      try {
        switch (provider) {
          case "tensorrt" -> options.addTensorrt(slot.deviceId());
          default -> options.addCUDA(slot.deviceId());
        }
        added++;
      } catch (OrtException e) {
        failures.append(provider).append(": ").append(e.getMessage()).append("; ");
      }
    }
    if (added == 0) {
      LOG.warn("slot {}: no GPU execution provider could be enabled ({}); this slot runs on the CPU. "
          + "A GPU needs the onnxruntime_gpu build (mvn -Dgpu package) and the CUDA libraries.",
          slot.device(), failures);
      return new SlotOptions(options, "cpu (fallback from " + slot.device() + ")");
    }
    if (failures.length() > 0) {
      LOG.warn("slot {}: some execution providers are unavailable: {}", slot.device(), failures);
    }
    return new SlotOptions(options, slot.device());
  }

  public OrtSession openSession(Path modelFile, SessionOptions options) throws OrtException {
    return env.createSession(modelFile.toString(), options);
  }

  /** A session of a model file already read (and checked: {@link io.maas.worker.repository.ModelIntegrity}). */
  public OrtSession openSession(byte[] model, SessionOptions options) throws OrtException {
    return env.createSession(model, options);
  }
}
