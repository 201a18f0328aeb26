package io.maas.worker.repository;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One warmup sample of a model's {@code model_warmup} list (Triton's names and meaning): a request the
 * worker runs through every instance of a freshly loaded version, {@code count} times, before the version is
 * READY, so that the first client request does not pay for the session's first runs.
 *
 * <pre>
 * model_warmup:
 *   - name: zeros                    # named in errors and logs
 *     batch_size: 8                  # the sample repeated along the batch dimension (1 without one); default 1
 *     count: 2                       # runs of this sample per instance; default 1 (0 means 1, as in Triton)
 *     inputs:
 *       INPUT0: {data_type: TYPE_FP32, dims: [4], zero_data: true}    # or random_data: true,
 *                                                                     # or input_data_file: raw_input0
 *   - name: sentence                 # a text model's text input may give sample texts (maas extension)
 *     inputs:
 *       text: {texts: ["A man is eating food."]}
 * </pre>
 *
 * What can be checked without the model is checked here; the rest (input names, datatypes and dims against
 * the model, files, batch size against max_batch_size) when the version loads.
 *
 * @param name the sample's name
 * @param batchSize how many times the sample is repeated along the batch dimension
 * @param inputs the sample's inputs by name, in the configuration's order
 * @param count how many times the sample runs on each instance
 */
public record ModelWarmup(String name, int batchSize, Map<String, WarmupInput> inputs, int count) {

  private static final Set<String> KEYS = Set.of("name", "batch_size", "inputs", "count");
  /** More runs than this per sample is a typo, not a warmup: it would hold the version LOADING for minutes. */
  static final int MAX_COUNT = 1000;

  public ModelWarmup {
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
  }

  /**
   * Parses the {@code model_warmup} list.
   *
   * @return the samples, empty when the key is absent
   * @throws IllegalArgumentException naming the offending entry and key
   */
  static List<ModelWarmup> fromJson(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray list)) {
      throw new IllegalArgumentException("model_warmup must be a list of samples, not " + value);
    }
    List<ModelWarmup> samples = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      samples.add(sample(i, list.getValue(i)));
    }
    return samples;
  }

  private static ModelWarmup sample(int index, Object value) {
    String at = "model_warmup[" + index + "]";
    if (!(value instanceof JsonObject j)) {
      throw new IllegalArgumentException(at + " must be a mapping with name, batch_size, inputs and count");
    }
    Object n = j.getValue("name");
    if (!(n instanceof String name) || name.isBlank()) {
      throw new IllegalArgumentException(at + ".name is missing: every warmup sample is named");
    }
    String where = at + " '" + name + "'";
    for (String key : j.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(where + ": " + key + " is not a known key; known keys are "
            + KEYS.stream().sorted().toList());
      }
    }
    long batch = whole(where, j, "batch_size", 1);
    if (batch < 1 || batch > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(where + ": batch_size must be 1 or more, not " + batch);
    }
    long count = whole(where, j, "count", 1);
    if (count < 0 || count > MAX_COUNT) {
      throw new IllegalArgumentException(where + ": count must be within 0.." + MAX_COUNT + " (0 means 1), not "
          + count);
    }
    Object in = j.getValue("inputs");
    if (!(in instanceof JsonObject inputs) || inputs.isEmpty()) {
      throw new IllegalArgumentException(where + ": inputs must map each input name to its data_type, dims and data");
    }
    Map<String, WarmupInput> parsed = new LinkedHashMap<>();
    for (String input : inputs.fieldNames()) {
      parsed.put(input, WarmupInput.fromJson(where + ": inputs." + input, inputs.getValue(input)));
    }
    return new ModelWarmup(name, (int) batch, parsed, (int) Math.max(1, count));
  }

  private static long whole(String where, JsonObject j, String key, long fallback) {
    Object v = j.getValue(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    if (v instanceof String s && s.matches("-?\\d{1,18}")) {
      return Long.parseLong(s); // Triton's config.pbtxt-to-JSON may write integers as strings
    }
    throw new IllegalArgumentException(where + ": " + key + " must be a whole number, not " + v);
  }
}
