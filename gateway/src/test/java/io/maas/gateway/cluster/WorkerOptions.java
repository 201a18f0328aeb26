package io.maas.gateway.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How a test worker process is configured: its device slot, model repository and other keys. */
final class WorkerOptions {
  private String slot;
  private Path repository;
  private final List<String> sets = new ArrayList<>();

  private WorkerOptions(String slot) {
    this.slot = slot;
  }

  /** One simulated slot that holds each batch for {@code baseMs + perItemMs × batch}, computing nothing. */
  static WorkerOptions sim(int baseMs, int perItemMs) {
    return new WorkerOptions("{\"device\":\"sim\",\"sim_base_ms\":" + baseMs + ",\"sim_per_item_ms\":" + perItemMs + "}");
  }

  /** One simulated slot that fails every request with INTERNAL for its first {@code failMs}, then heals. */
  static WorkerOptions simFailingFor(int baseMs, int failMs) {
    return new WorkerOptions("{\"device\":\"sim\",\"sim_base_ms\":" + baseMs + ",\"sim_per_item_ms\":0,\"sim_fail_for_ms\":"
        + failMs + "}");
  }

  /**
   * One simulated slot in placed mode: a memory budget of {@code budgetMb}, each model taking {@code modelMb}; the
   * cluster's placement chooses what it holds.
   */
  static WorkerOptions placedSim(int baseMs, int budgetMb, int modelMb) {
    return new WorkerOptions("{\"device\":\"sim\",\"sim_base_ms\":" + baseMs + ",\"sim_per_item_ms\":0,"
        + "\"memory_limit_mb\":" + budgetMb + ",\"sim_model_mb\":" + modelMb + "}")
        .set("worker.model_control_mode=placed");
  }

  /** One real ONNX Runtime CPU slot. */
  static WorkerOptions cpu() {
    return new WorkerOptions("{\"device\":\"cpu\",\"intra_op_threads\":1}");
  }

  WorkerOptions repository(Path dir) {
    this.repository = dir;
    return this;
  }

  WorkerOptions set(String keyValue) {
    sets.add(keyValue);
    return this;
  }

  Path repository() {
    return repository;
  }

  List<String> args(Path defaultRepository) {
    List<String> args = new ArrayList<>(List.of(
        "--model-repository", (repository == null ? defaultRepository : repository).toString(),
        "--set", "worker.slots=[" + slot + "]",
        "--set", "worker.announce_interval_ms=250",
        // processes share this host: each worker's /metrics on a port of its own
        "--set", "worker.metrics_port=0"));
    sets.forEach(s -> {
      args.add("--set");
      args.add(s);
    });
    return args;
  }
}
