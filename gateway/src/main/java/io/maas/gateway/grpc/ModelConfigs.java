package io.maas.gateway.grpc;

import io.maas.gateway.grpc.v2.DataType;
import io.maas.gateway.grpc.v2.ModelConfig;
import io.maas.gateway.grpc.v2.ModelDynamicBatching;
import io.maas.gateway.grpc.v2.ModelInput;
import io.maas.gateway.grpc.v2.ModelInstanceGroup;
import io.maas.gateway.grpc.v2.ModelOutput;
import io.maas.gateway.grpc.v2.ModelParameter;
import io.maas.gateway.grpc.v2.ModelQueuePolicy;
import io.maas.gateway.grpc.v2.ModelVersionPolicy;
import io.maas.gateway.repository.ServedConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Triton's {@code ModelConfig} message from the configuration REST serves ({@link ServedConfig}, Triton's JSON
 * form of the same message), field by field, so that both edges answer the same: name, platform,
 * max_batch_size, input and output (data_type, dims), version_policy, dynamic_batching, instance_group and
 * default_model_filename; maas's {@code replicas}, {@code traffic}, {@code version_labels} and {@code sha256}, which
 * Triton's message has no field for, go in its {@code parameters} as JSON strings. maas has nothing to say for the rest of Triton's
 * fields (sequence batching, ensembles, optimization, warmup...), which stay unset.
 */
final class ModelConfigs {
  private static final String[] PARAMETER_SECTIONS = {"replicas", "traffic", "version_labels", "sha256"};

  private ModelConfigs() {}

  static ModelConfig fromJson(JsonObject json) {
    ModelConfig.Builder b = ModelConfig.newBuilder()
        .setName(json.getString("name", ""))
        .setPlatform(json.getString("platform", ""))
        .setMaxBatchSize(json.getInteger("max_batch_size", 0))
        .setDefaultModelFilename(json.getString("default_model_filename", ""));
    objects(json.getJsonArray("input"), t -> b.addInput(ModelInput.newBuilder()
        .setName(t.getString("name"))
        .setDataType(DataType.valueOf(t.getString("data_type")))
        .addAllDims(longs(t.getJsonArray("dims")))));
    objects(json.getJsonArray("output"), t -> b.addOutput(ModelOutput.newBuilder()
        .setName(t.getString("name"))
        .setDataType(DataType.valueOf(t.getString("data_type")))
        .addAllDims(longs(t.getJsonArray("dims")))));
    JsonObject policy = json.getJsonObject("version_policy");
    if (policy != null) {
      b.setVersionPolicy(versionPolicy(policy));
    }
    JsonObject batching = json.getJsonObject("dynamic_batching");
    if (batching != null) {
      b.setDynamicBatching(dynamicBatching(batching));
    }
    objects(json.getJsonArray("instance_group"), g -> b.addInstanceGroup(ModelInstanceGroup.newBuilder()
        .setCount(g.getInteger("count", 1))
        .setKind(ModelInstanceGroup.Kind.valueOf(g.getString("kind", "KIND_AUTO")))
        .addAllGpus(g.getJsonArray("gpus", new JsonArray()).stream().map(n -> ((Number) n).intValue()).toList())));
    for (String section : PARAMETER_SECTIONS) {
      JsonObject value = json.getJsonObject(section);
      if (value != null) {
        b.putParameters(section, ModelParameter.newBuilder().setStringValue(value.encode()).build());
      }
    }
    return b.build();
  }

  private static ModelVersionPolicy versionPolicy(JsonObject json) {
    ModelVersionPolicy.Builder b = ModelVersionPolicy.newBuilder();
    if (json.containsKey("latest")) {
      b.setLatest(ModelVersionPolicy.Latest.newBuilder()
          .setNumVersions(json.getJsonObject("latest").getInteger("num_versions", 1)));
    } else if (json.containsKey("all")) {
      b.setAll(ModelVersionPolicy.All.getDefaultInstance());
    } else if (json.containsKey("specific")) {
      b.setSpecific(ModelVersionPolicy.Specific.newBuilder()
          .addAllVersions(longs(json.getJsonObject("specific").getJsonArray("versions"))));
    }
    return b.build();
  }

  private static ModelDynamicBatching dynamicBatching(JsonObject json) {
    ModelDynamicBatching.Builder b = ModelDynamicBatching.newBuilder()
        .setMaxQueueDelayMicroseconds(json.getLong("max_queue_delay_microseconds", 0L));
    json.getJsonArray("preferred_batch_size", new JsonArray())
        .forEach(n -> b.addPreferredBatchSize(((Number) n).intValue()));
    b.setPriorityLevels(json.getLong("priority_levels", 0L))
        .setDefaultPriorityLevel(json.getLong("default_priority_level", 0L));
    JsonObject queue = json.getJsonObject("default_queue_policy");
    if (queue != null) {
      b.setDefaultQueuePolicy(queuePolicy(queue));
    }
    JsonObject levels = json.getJsonObject("priority_queue_policy", new JsonObject());
    levels.forEach(e -> b.putPriorityQueuePolicy(Long.parseLong(e.getKey()), queuePolicy((JsonObject) e.getValue())));
    return b.build();
  }

  private static ModelQueuePolicy queuePolicy(JsonObject json) {
    return ModelQueuePolicy.newBuilder()
        .setTimeoutAction("DELAY".equals(json.getString("timeout_action"))
            ? ModelQueuePolicy.TimeoutAction.DELAY : ModelQueuePolicy.TimeoutAction.REJECT)
        .setDefaultTimeoutMicroseconds(json.getLong("default_timeout_microseconds", 0L))
        .setAllowTimeoutOverride(json.getBoolean("allow_timeout_override", false))
        .setMaxQueueSize(json.getInteger("max_queue_size", 0))
        .build();
  }

  private static void objects(JsonArray a, Consumer<JsonObject> each) {
    if (a != null) {
      for (int i = 0; i < a.size(); i++) {
        each.accept(a.getJsonObject(i));
      }
    }
  }

  private static Iterable<Long> longs(JsonArray a) {
    return a == null ? java.util.List.of() : a.stream().map(n -> ((Number) n).longValue()).toList();
  }
}
