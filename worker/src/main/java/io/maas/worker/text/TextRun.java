package io.maas.worker.text;

import io.maas.tensor.Tensor;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One request made ready for a text model's sessions: one or more runs (one per text, or one padded
 * batch), whose outputs are stacked back in order, and the response parameters (token counts).
 *
 * @param parts the session runs, in text order
 * @param parameters response parameters: {@code prompt_tokens}, and {@code truncated_texts} when any
 */
public record TextRun(List<Part> parts, JsonObject parameters) {

  public TextRun {
    parts = List.copyOf(parts);
  }

  /**
   * One session run.
   *
   * @param inputs the model inputs
   * @param mask the attention mask pooling reads, row-major [texts, tokens]
   */
  public record Part(List<Tensor> inputs, long[] mask) {}
}
