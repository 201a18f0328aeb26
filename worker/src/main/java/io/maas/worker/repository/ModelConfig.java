package io.maas.worker.repository;

import io.maas.model.ModelPolicy;
import io.maas.model.TensorSpec;
import io.maas.tensor.DataType;
import io.maas.worker.batching.BatchPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A model's optional {@code config.yaml} / {@code config.json}, in Triton's vocabulary. Everything left
 * out is inferred from the ONNX model itself (auto-complete).
 *
 * @param name the model's name (the directory name)
 * @param maxBatchSize Triton's max_batch_size, or null to infer it
 * @param inputs declared inputs (dims WITHOUT the batch dimension when max_batch_size &gt; 0, as in Triton)
 * @param outputs declared outputs, likewise
 * @param placement instance count and device placement
 * @param versionPolicy which versions to serve
 * @param modelFilename the model file inside each version directory
 * @param text the text section (the model also takes strings, tokenised by the worker), or null
 * @param dynamicBatching the dynamic_batching section, or null: one request per execution
 * @param warmup the model_warmup samples, run before a loaded version is READY (empty: none)
 * @param policy replicas, traffic weights and version labels ({@code replicas}, {@code traffic},
 *     {@code version_labels}): how the cluster serves the model
 * @param memoryEstimateBytes {@code memory_mb}: what a version is expected to take on a device before it was
 *     ever loaded and measured; 0: not stated
 * @param sha256 {@code sha256}: the SHA-256 (lower-case hex) that versions' model files must have, by version
 *     ({@link ModelIntegrity}); empty: none stated here
 */
public record ModelConfig(
    String name,
    Integer maxBatchSize,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    InstancePlacement placement,
    VersionPolicy versionPolicy,
    String modelFilename,
    TextConfig text,
    DynamicBatching dynamicBatching,
    List<ModelWarmup> warmup,
    ModelPolicy policy,
    long memoryEstimateBytes,
    Map<Long, String> sha256) {

  public static final String DEFAULT_MODEL_FILENAME = "model.onnx";
  private static final long MB = 1024 * 1024;
  private static final Set<String> PLATFORMS = Set.of("onnxruntime_onnx", "onnxruntime", "onnx");

  public ModelConfig {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    warmup = List.copyOf(warmup);
    policy = policy == null ? ModelPolicy.NONE : policy;
    sha256 = sha256 == null ? Map.of() : Map.copyOf(sha256);
    if (memoryEstimateBytes < 0) {
      throw new IllegalArgumentException("memory_mb must be 0 or more");
    }
    if (dynamicBatching != null && maxBatchSize != null) {
      dynamicBatching.checkAgainst(maxBatchSize);
    }
  }

  /** A configuration without a placement policy, memory estimate or digests. */
  public ModelConfig(String name, Integer maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs,
      InstancePlacement placement, VersionPolicy versionPolicy, String modelFilename, TextConfig text,
      DynamicBatching dynamicBatching, List<ModelWarmup> warmup) {
    this(name, maxBatchSize, inputs, outputs, placement, versionPolicy, modelFilename, text, dynamicBatching, warmup,
        ModelPolicy.NONE, 0, Map.of());
  }

  /** A configuration without warmup samples. */
  public ModelConfig(String name, Integer maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs,
      InstancePlacement placement, VersionPolicy versionPolicy, String modelFilename, TextConfig text,
      DynamicBatching dynamicBatching) {
    this(name, maxBatchSize, inputs, outputs, placement, versionPolicy, modelFilename, text, dynamicBatching,
        List.of());
  }

  /** A configuration without dynamic batching. */
  public ModelConfig(String name, Integer maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs,
      InstancePlacement placement, VersionPolicy versionPolicy, String modelFilename, TextConfig text) {
    this(name, maxBatchSize, inputs, outputs, placement, versionPolicy, modelFilename, text, null, List.of());
  }

  /** A configuration without a text section. */
  public ModelConfig(String name, Integer maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs,
      InstancePlacement placement, VersionPolicy versionPolicy, String modelFilename) {
    this(name, maxBatchSize, inputs, outputs, placement, versionPolicy, modelFilename, null, null, List.of());
  }

  /** The same configuration serving the versions this policy picks. */
  public ModelConfig withVersionPolicy(VersionPolicy policy) {
    return new ModelConfig(name, maxBatchSize, inputs, outputs, placement, policy, modelFilename, text, dynamicBatching,
        warmup, this.policy, memoryEstimateBytes, sha256);
  }

  /**
   * The batcher's policy of a version of this model: its {@code dynamic_batching} section mapped into the batcher's
   * terms, or one request per execution without one.
   *
   * @param maxBatchSize the version's resolved max_batch_size (configured or inferred from the model)
   * @param defaultMaxQueueSize the worker's {@code max_queue_size}
   * @throws IllegalArgumentException when the section does not fit the model
   */
  public BatchPolicy batchPolicy(int maxBatchSize, int defaultMaxQueueSize) {
    return dynamicBatching == null ? BatchPolicy.unbatched(defaultMaxQueueSize)
        : dynamicBatching.policy(maxBatchSize, defaultMaxQueueSize);
  }

  /**
   * What the model is served with beyond its signature, in Triton's JSON names (as Triton's model configuration
   * extension shows them): {@code version_policy}, {@code instance_group}, {@code dynamic_batching} when batching
   * is on, and {@code default_model_filename}.
   */
  public JsonObject servedSections() {
    JsonObject json = new JsonObject()
        .put("version_policy", versionPolicy.toJson())
        .put("instance_group", new JsonArray().add(placement.toJson()));
    if (dynamicBatching != null) {
      json.put("dynamic_batching", dynamicBatching.toJson());
    }
    json.put("default_model_filename", modelFilename);
    if (memoryEstimateBytes > 0) {
      json.put("memory_mb", memoryEstimateBytes / MB);
    }
    return policy.into(json);
  }

  /** The configuration of a model directory that has no config file. */
  public static ModelConfig inferred(String name) {
    return new ModelConfig(name, null, List.of(), List.of(), InstancePlacement.DEFAULT, VersionPolicy.DEFAULT,
        DEFAULT_MODEL_FILENAME);
  }

  /**
   * Parses a config document.
   *
   * @throws IllegalArgumentException naming the offending key
   */
  public static ModelConfig fromJson(String directoryName, JsonObject json) {
    String name = json.getString("name", directoryName);
    if (!name.equals(directoryName)) {
      throw new IllegalArgumentException("name '" + name + "' differs from its directory '" + directoryName + "'");
    }
    String platform = json.getString("platform", json.getString("backend", "onnxruntime_onnx"));
    if (!PLATFORMS.contains(platform)) {
      throw new IllegalArgumentException("platform '" + platform + "' is not served; maas serves onnxruntime_onnx");
    }
    Integer maxBatch = json.getInteger("max_batch_size");
    if (maxBatch != null && maxBatch < 0) {
      throw new IllegalArgumentException("max_batch_size must be 0 or more");
    }
    return new ModelConfig(
        name,
        maxBatch,
        specs(json, "input", "inputs"),
        specs(json, "output", "outputs"),
        InstancePlacement.fromJson(json),
        VersionPolicy.fromJson(json.getJsonObject("version_policy")),
        json.getString("default_model_filename", DEFAULT_MODEL_FILENAME),
        text(json),
        DynamicBatching.fromJson(json.getValue("dynamic_batching")),
        ModelWarmup.fromJson(json.getValue("model_warmup")),
        ModelPolicy.fromJson(json),
        memoryMb(json) * MB,
        sha256(json));
  }

  /**
   * {@code sha256}: version to the SHA-256 of its model file, e.g. {@code {"1": "<64 hex digits>"}} (YAML's unquoted
   * numbers are taken as versions too).
   */
  private static Map<Long, String> sha256(JsonObject json) {
    Object value = json.getValue("sha256");
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject digests)) {
      throw new IllegalArgumentException("sha256 must map versions to SHA-256 digests, e.g. {\"1\": \"<64 hex digits>\"}");
    }
    Map<Long, String> out = new TreeMap<>();
    Map<?, ?> entries = digests.getMap(); // YAML's keys may be numbers
    for (Map.Entry<?, ?> e : entries.entrySet()) {
      String version = String.valueOf(e.getKey());
      Object digest = e.getValue();
      if (!version.matches("\\d{1,18}")) {
        throw new IllegalArgumentException("sha256: '" + shortened(version) + "' is not a version number");
      }
      if (!(digest instanceof String hex) || !ModelIntegrity.isDigest(hex)) {
        throw new IllegalArgumentException("sha256 of version " + version + ": '" + shortened(String.valueOf(digest))
            + "' is not a SHA-256 digest (64 hex digits)");
      }
      out.put(Long.parseLong(version), hex.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private static String shortened(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static long memoryMb(JsonObject json) {
    Object v = json.getValue("memory_mb", 0);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0
        || n.longValue() > 16L * 1024 * 1024) {
      throw new IllegalArgumentException("memory_mb must be a whole number of MiB, 0..16777216, not " + v);
    }
    return n.longValue();
  }

  private static TextConfig text(JsonObject json) {
    Object text = json.getValue("text");
    if (text == null) {
      return null;
    }
    if (!(text instanceof JsonObject section)) {
      throw new IllegalArgumentException("text must be a mapping");
    }
    return TextConfig.fromJson(section);
  }

  private static List<TensorSpec> specs(JsonObject json, String tritonKey, String key) {
    JsonArray a = json.getJsonArray(tritonKey, json.getJsonArray(key, new JsonArray()));
    return a.stream().map(o -> spec((JsonObject) o)).toList();
  }

  private static TensorSpec spec(JsonObject t) {
    String name = t.getString("name");
    if (name == null) {
      throw new IllegalArgumentException("a tensor entry has no name");
    }
    String type = t.getString("data_type", t.getString("datatype"));
    if (type == null) {
      throw new IllegalArgumentException("tensor '" + name + "' has no data_type");
    }
    JsonArray dims = t.getJsonArray("dims", t.getJsonArray("shape"));
    if (dims == null) {
      throw new IllegalArgumentException("tensor '" + name + "' has no dims");
    }
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = ((Number) dims.getValue(i)).longValue();
      if (shape[i] < -1) {
        throw new IllegalArgumentException("tensor '" + name + "' has a dimension below -1");
      }
    }
    try {
      return new TensorSpec(name, DataType.parse(type), shape);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage());
    }
  }
}
