package io.maas.worker.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.maas.error.MaasException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A HuggingFace tokenizer ({@code tokenizer.json}, through DJL's binding of the Rust library) that turns
 * a batch of texts into padded token arrays. It works offline: the native library ships in DJL's jar
 * and is extracted to {@code DJL_CACHE_DIR} (default {@code ~/.djl.ai}); the tokenizer is read from a
 * local file, never from the HuggingFace hub. Safe for concurrent use.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;
  private final boolean truncation;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxLength, boolean truncation) {
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.truncation = truncation;
  }

  /**
   * Loads a tokenizer file. The tokenizer's own padding and truncation settings are replaced: texts are
   * encoded with special tokens, not padded, and cut to {@code maxLength} if {@code truncation}.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when the file is not a tokenizer
   */
  public static TextTokenizer load(Path file, int maxLength, boolean truncation) throws IOException {
    // DJL would otherwise probe the EC2 metadata endpoint for telemetry (a network call with timeouts);
    // maas serves offline. Set only if the operator has not chosen otherwise.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    Map<String, String> options = Map.of(
        "addSpecialTokens", "true",
        "padding", "false",
        "truncation", Boolean.toString(truncation),
        "maxLength", Integer.toString(maxLength),
        "modelMaxLength", Integer.toString(maxLength));
    try {
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(file, options), maxLength, truncation);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
    }
  }

  public int maxLength() {
    return maxLength;
  }

  /**
   * Tokenises the texts and pads them to the longest.
   *
   * @throws MaasException INVALID_ARGUMENT for a text over the maximum length when truncation is off
   */
  public TokenBatch encode(List<String> texts) {
    Encoding[] encodings = tokenizer.batchEncode(texts);
    int length = 0;
    int truncated = 0;
    for (int i = 0; i < encodings.length; i++) {
      int n = encodings[i].getIds().length;
      if (!truncation && n > maxLength) {
        throw MaasException.invalid("text %d has %d tokens, over the model's maximum of %d", i, n, maxLength);
      }
      if (encodings[i].exceedMaxLength()) {
        truncated++;
      }
      length = Math.max(length, n);
    }
    long[] ids = new long[texts.size() * length];
    long[] typeIds = new long[ids.length];
    long[] mask = new long[ids.length];
    long tokens = 0;
    for (int i = 0; i < encodings.length; i++) {
      long[] e = encodings[i].getIds();
      long[] t = encodings[i].getTypeIds();
      System.arraycopy(e, 0, ids, i * length, e.length);
      System.arraycopy(t, 0, typeIds, i * length, t.length);
      Arrays.fill(mask, i * length, i * length + e.length, 1L);
      tokens += e.length;
    }
    return new TokenBatch(texts.size(), length, ids, typeIds, mask, tokens, truncated);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
