package io.maas.worker.text;

/**
 * Tokenised texts padded to the longest: row-major [texts, length] token ids, type ids and attention
 * mask (1 for a real token, 0 for padding).
 *
 * @param texts the number of texts
 * @param length the padded length
 * @param ids token ids
 * @param typeIds token type ids
 * @param mask the attention mask
 * @param tokens the number of real tokens, special tokens included, over all texts
 * @param truncated how many texts were cut to the maximum length
 */
public record TokenBatch(int texts, int length, long[] ids, long[] typeIds, long[] mask, long tokens, int truncated) {

  public TokenBatch {
    long cells = (long) texts * length;
    if (ids.length != cells || typeIds.length != cells || mask.length != cells) {
      throw new IllegalArgumentException("token arrays do not match " + texts + " x " + length);
    }
  }
}
