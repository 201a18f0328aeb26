package io.maas.worker.repository;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * The optional {@code text} section of a model's configuration: the model takes UTF-8 strings, which the
 * worker tokenises, as an alternative to its token inputs, and adds a pooled output.
 *
 * <pre>
 * text:
 *   input: text              # the BYTES input [-1] taking the strings
 *   tokenizer: tokenizer.json  # a HuggingFace tokenizer.json, relative to the model directory
 *   max_length: 256          # tokens per text, special tokens included
 *   truncation: true         # longer texts are cut to max_length (false: rejected)
 *   output: embedding        # the pooled FP32 output [-1, hidden]
 *   pooling: mean            # mean (over the attention mask) | cls (first token) | none (source is pooled)
 *   normalize: true          # L2-normalise the pooled output
 *   source: last_hidden_state  # the model output pooling reads (default: inferred from the shapes)
 *   input_ids: input_ids     # which model input takes each tokenizer output (default: by these names)
 *   attention_mask: attention_mask
 *   token_type_ids: token_type_ids
 *   max_texts: 32            # strings per request
 *   max_text_bytes: 65536    # UTF-8 bytes per string
 *   padded_batch: false      # true: a request's texts run as one batch padded to the longest
 * </pre>
 *
 * <p>By default each text runs through the session on its own, so that its result never depends on the
 * other texts of the request: a dynamically quantized model (like the default MiniLM) quantizes each
 * activation tensor with one scale computed over the whole batch, padding included, which moves its
 * embeddings (cosine ~0.98 in a measured case). {@code padded_batch: true} is faster and exact for
 * float models. A model with {@code dynamic_batching} runs the texts of a batch (of one or more
 * requests) grouped by token length instead: texts of the same length share a session run, unpadded
 * (see docs/batching.md).
 *
 * @param input the name of the text input
 * @param tokenizer the tokenizer file, relative to the model directory
 * @param maxLength the most tokens per text
 * @param truncation whether longer texts are truncated (true) or rejected (false)
 * @param output the name of the pooled output
 * @param pooling how token vectors become one vector per text
 * @param normalize whether the pooled vector is L2-normalised
 * @param source the model output that pooling reads, or null to infer it
 * @param inputIds the model input taking token ids, or null to infer it
 * @param attentionMask the model input taking the attention mask, or null to infer it
 * @param tokenTypeIds the model input taking token type ids, or null to infer it
 * @param maxTexts the most strings one request may hold
 * @param maxTextBytes the most UTF-8 bytes one string may hold
 * @param paddedBatch whether a request's texts run as one padded batch rather than one by one
 */
public record TextConfig(
    String input,
    String tokenizer,
    int maxLength,
    boolean truncation,
    String output,
    Pooling pooling,
    boolean normalize,
    String source,
    String inputIds,
    String attentionMask,
    String tokenTypeIds,
    int maxTexts,
    int maxTextBytes,
    boolean paddedBatch) {

  /** How the token vectors of one text become one vector. */
  public enum Pooling {
    /** The mean of the token vectors where the attention mask is 1. */
    MEAN,
    /** The first token's vector (BERT's [CLS]). */
    CLS,
    /** None: the source output is already one vector per text. */
    NONE
  }

  public static final int DEFAULT_MAX_LENGTH = 512;
  public static final int DEFAULT_MAX_TEXTS = 32;
  public static final int DEFAULT_MAX_TEXT_BYTES = 65536;

  private static final Set<String> KEYS = Set.of("input", "tokenizer", "max_length", "truncation", "output",
      "pooling", "normalize", "source", "input_ids", "attention_mask", "token_type_ids", "max_texts",
      "max_text_bytes", "padded_batch");

  /**
   * Parses the {@code text} section.
   *
   * @throws IllegalArgumentException naming the offending key
   */
  public static TextConfig fromJson(JsonObject json) {
    for (String key : json.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("text: unknown key '" + key + "'; the keys are " + KEYS.stream().sorted().toList());
      }
    }
    TextConfig c = new TextConfig(
        string(json, "input", "text"),
        string(json, "tokenizer", "tokenizer.json"),
        positive(json, "max_length", DEFAULT_MAX_LENGTH),
        bool(json, "truncation", true),
        string(json, "output", "embedding"),
        pooling(string(json, "pooling", "mean")),
        bool(json, "normalize", false),
        string(json, "source", null),
        string(json, "input_ids", null),
        string(json, "attention_mask", null),
        string(json, "token_type_ids", null),
        positive(json, "max_texts", DEFAULT_MAX_TEXTS),
        positive(json, "max_text_bytes", DEFAULT_MAX_TEXT_BYTES),
        bool(json, "padded_batch", false));
    if (c.input().equals(c.output())) {
      throw new IllegalArgumentException("text: input and output are both named '" + c.input() + "'");
    }
    if (c.tokenizer().isEmpty()) {
      throw new IllegalArgumentException("text: tokenizer must name a file");
    }
    return c;
  }

  private static Pooling pooling(String value) {
    try {
      return Pooling.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("text: pooling '" + value + "' is not mean, cls or none");
    }
  }

  private static String string(JsonObject json, String key, String fallback) {
    Object v = json.getValue(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException("text: " + key + " must be a non-empty string");
    }
    return s;
  }

  private static boolean bool(JsonObject json, String key, boolean fallback) {
    Object v = json.getValue(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException("text: " + key + " must be true or false");
    }
    return b;
  }

  private static int positive(JsonObject json, String key, int fallback) {
    Object v = json.getValue(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Integer i) || i < 1) {
      throw new IllegalArgumentException("text: " + key + " must be a positive integer");
    }
    return i;
  }
}
