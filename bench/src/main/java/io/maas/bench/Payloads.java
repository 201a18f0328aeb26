package io.maas.bench;

import io.maas.bench.load.InferPayload;
import java.util.Arrays;
import java.util.List;

/** The requests the scenarios send, and the ceiling runs: the same token ids everywhere. */
final class Payloads {
  private Payloads() {}

  /**
   * One MiniLM sequence of {@code tokens} token ids as a tokenizer gives them ([CLS] ... [SEP], mask all 1,
   * token types 0), INT64 [1, tokens]; asks for the pooled {@code embedding} only (384 floats), as an
   * embedding client does, not the [1, tokens, 384] hidden states.
   */
  static InferPayload minilm(int tokens) {
    long[] ids = new long[tokens];
    for (int i = 0; i < tokens; i++) {
      ids[i] = 1000 + (i * 37L) % 20000;
    }
    ids[0] = 101;
    ids[tokens - 1] = 102;
    long[] mask = new long[tokens];
    Arrays.fill(mask, 1);
    long[] shape = {1, tokens};
    return new InferPayload(List.of(
        new InferPayload.Input("input_ids", "INT64", shape, ids),
        new InferPayload.Input("attention_mask", "INT64", shape, mask),
        new InferPayload.Input("token_type_ids", "INT64", shape, new long[tokens])), List.of("embedding"));
  }

  /** The ceiling's inputs: the same tensors without the pooled output the server adds. */
  static InferPayload minilmModelOnly(int tokens) {
    return new InferPayload(minilm(tokens).inputs(), List.of());
  }

  /** Triton's {@code simple}: INPUT0 = 0..15, INPUT1 = 1s, INT32 [1, 16]; both outputs. */
  static InferPayload simple() {
    long[] a = new long[16];
    long[] b = new long[16];
    for (int i = 0; i < 16; i++) {
      a[i] = i;
      b[i] = 1;
    }
    long[] shape = {1, 16};
    return new InferPayload(List.of(new InferPayload.Input("INPUT0", "INT32", shape, a),
        new InferPayload.Input("INPUT1", "INT32", shape, b)), List.of());
  }
}
