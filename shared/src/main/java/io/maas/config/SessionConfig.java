package io.maas.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * ONNX Runtime session options for the sessions of one device slot. The defaults suit a small CPU
 * machine shared with the gateway: one sequential graph walk, the CPU arena and memory patterns on, and
 * intra-op threads that sleep instead of spinning when they run out of work.
 *
 * @param intraOpThreads threads used inside one operator (0: ORT's default, one per core)
 * @param interOpThreads threads used across operators (only with parallel execution)
 * @param optimizationLevel one of {@code none}, {@code basic}, {@code extended}, {@code all}
 * @param executionMode {@code sequential} (one operator at a time, each using the intra-op threads) or
 *     {@code parallel} (independent branches of the graph at once, on the inter-op threads)
 * @param cpuArena whether tensors are allocated from ORT's CPU memory arena (faster; memory once taken
 *     stays with the session)
 * @param memoryPattern whether ORT plans a run's memory from the runs before it with the same shapes
 * @param allowSpinning whether idle ORT pool threads spin waiting for work (lower latency for the next
 *     operator, but they burn the cores the gateway and other sessions need)
 */
public record SessionConfig(int intraOpThreads, int interOpThreads, String optimizationLevel, String executionMode,
    boolean cpuArena, boolean memoryPattern, boolean allowSpinning) {

  public static final String DEFAULT_EXECUTION_MODE = "sequential";
  public static final boolean DEFAULT_CPU_ARENA = true;
  public static final boolean DEFAULT_MEMORY_PATTERN = true;
  public static final boolean DEFAULT_ALLOW_SPINNING = false;

  public SessionConfig {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intra_op_threads must be 0 (ORT's default) or more, not " + intraOpThreads);
    }
    if (interOpThreads < 0) {
      throw new IllegalArgumentException("inter_op_threads must be 0 (ORT's default) or more, not " + interOpThreads);
    }
    optimizationLevel = optimizationLevel.toLowerCase(Locale.ROOT);
    if (!optimizationLevel.matches("none|basic|extended|all")) {
      throw new IllegalArgumentException(
          "optimization_level must be none, basic, extended or all, not '" + optimizationLevel + "'");
    }
    executionMode = executionMode.toLowerCase(Locale.ROOT);
    if (!executionMode.matches("sequential|parallel")) {
      throw new IllegalArgumentException(
          "execution_mode must be sequential or parallel, not '" + executionMode + "'");
    }
  }

  /** Threads and optimisation level, with the defaults for everything else. */
  public SessionConfig(int intraOpThreads, int interOpThreads, String optimizationLevel) {
    this(intraOpThreads, interOpThreads, optimizationLevel, DEFAULT_EXECUTION_MODE, DEFAULT_CPU_ARENA,
        DEFAULT_MEMORY_PATTERN, DEFAULT_ALLOW_SPINNING);
  }

  public boolean isParallel() {
    return executionMode.equals("parallel");
  }

  /** The keys of a session (under {@code worker.session}, or in a slot object). */
  static final List<String> KEYS = List.of("intra_op_threads", "inter_op_threads", "optimization_level",
      "execution_mode", "cpu_arena", "memory_pattern", "allow_spinning");

  /**
   * A session from {@code worker.session}, or from a slot's own keys over it: every key is required (conf/maas.yaml
   * sets them all).
   */
  static SessionConfig fromJson(JsonObject j) {
    return new SessionConfig(
        integer(j, "intra_op_threads"),
        integer(j, "inter_op_threads"),
        string(j, "optimization_level"),
        string(j, "execution_mode"),
        bool(j, "cpu_arena"),
        bool(j, "memory_pattern"),
        bool(j, "allow_spinning"));
  }

  /** A slot's session: the session keys the slot object sets, over {@code worker.session}. */
  static SessionConfig fromJson(JsonObject slot, JsonObject workerSession) {
    JsonObject merged = workerSession.copy();
    for (String key : KEYS) {
      if (slot.containsKey(key)) {
        merged.put(key, slot.getValue(key));
      }
    }
    return fromJson(merged);
  }

  private static int integer(JsonObject j, String key) {
    Object v = ConfigValues.required(j, "worker.session", key);
    if (v instanceof Integer i) {
      return i;
    }
    if (v instanceof String s && s.trim().matches("\\d{1,9}")) {
      return Integer.parseInt(s.trim());
    }
    throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
  }

  private static String string(JsonObject j, String key) {
    Object v = ConfigValues.required(j, "worker.session", key);
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(key + " must be a string, not " + v);
    }
    return s;
  }

  private static boolean bool(JsonObject j, String key) {
    Object v = ConfigValues.required(j, "worker.session", key);
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && s.trim().matches("(?i)true|false")) {
      return Boolean.parseBoolean(s.trim());
    }
    throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
  }
}
