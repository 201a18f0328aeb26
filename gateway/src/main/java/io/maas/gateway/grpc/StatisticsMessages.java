package io.maas.gateway.grpc;

import io.maas.gateway.grpc.v2.InferBatchStatistics;
import io.maas.gateway.grpc.v2.InferStatistics;
import io.maas.gateway.grpc.v2.ModelStatistics;
import io.maas.gateway.grpc.v2.ModelStatisticsResponse;
import io.maas.gateway.grpc.v2.StatisticDuration;
import io.maas.gateway.stats.ClusterStatistics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Triton's {@code ModelStatisticsResponse} from the cluster's statistics (the {@code $model_stat} objects REST
 * answers), field by field. {@code memory_usage} and {@code response_stats} stay empty: a version's memory is
 * announced by workers for placement (docs/placement.md), not kept with its statistics, and every request has
 * exactly one response (no decoupled models). maas's own {@code cold_load_count} has no field here.
 */
final class StatisticsMessages {
  private StatisticsMessages() {}

  static ModelStatisticsResponse of(ClusterStatistics.Snapshot snapshot) {
    ModelStatisticsResponse.Builder b = ModelStatisticsResponse.newBuilder();
    snapshot.modelStats().forEach(s -> b.addModelStats(modelStatistics(s)));
    return b.build();
  }

  private static ModelStatistics modelStatistics(JsonObject s) {
    JsonObject i = s.getJsonObject("inference_stats", new JsonObject());
    ModelStatistics.Builder b = ModelStatistics.newBuilder()
        .setName(s.getString("name", ""))
        .setVersion(s.getString("version", ""))
        .setLastInference(s.getLong("last_inference", 0L))
        .setInferenceCount(s.getLong("inference_count", 0L))
        .setExecutionCount(s.getLong("execution_count", 0L))
        .setInferenceStats(InferStatistics.newBuilder()
            .setSuccess(duration(i, "success"))
            .setFail(duration(i, "fail"))
            .setQueue(duration(i, "queue"))
            .setComputeInput(duration(i, "compute_input"))
            .setComputeInfer(duration(i, "compute_infer"))
            .setComputeOutput(duration(i, "compute_output"))
            .setCacheHit(duration(i, "cache_hit"))
            .setCacheMiss(duration(i, "cache_miss")));
    JsonArray batches = s.getJsonArray("batch_stats", new JsonArray());
    for (int k = 0; k < batches.size(); k++) {
      JsonObject batch = batches.getJsonObject(k);
      b.addBatchStats(InferBatchStatistics.newBuilder()
          .setBatchSize(batch.getLong("batch_size", 0L))
          .setComputeInput(duration(batch, "compute_input"))
          .setComputeInfer(duration(batch, "compute_infer"))
          .setComputeOutput(duration(batch, "compute_output")));
    }
    return b.build();
  }

  private static StatisticDuration duration(JsonObject parent, String name) {
    JsonObject d = parent.getJsonObject(name, new JsonObject());
    return StatisticDuration.newBuilder().setCount(d.getLong("count", 0L)).setNs(d.getLong("ns", 0L)).build();
  }
}
