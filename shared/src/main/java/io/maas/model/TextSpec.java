package io.maas.model;

import io.vertx.core.json.JsonObject;

/**
 * How a text model takes text: the BYTES input that replaces its token inputs, the pooled output it
 * adds, and how many texts one request may hold. Edges use it to build text requests (OpenAI
 * embeddings) without knowing the model.
 *
 * @param input the BYTES input [-1] of UTF-8 strings
 * @param output the pooled FP32 output [-1, hidden]
 * @param maxTexts the most strings one request may hold
 * @param maxTextBytes the most UTF-8 bytes one string may hold
 */
public record TextSpec(String input, String output, int maxTexts, int maxTextBytes) {

  public JsonObject toJson() {
    return new JsonObject().put("input", input).put("output", output).put("max_texts", maxTexts)
        .put("max_text_bytes", maxTextBytes);
  }

  public static TextSpec fromJson(JsonObject json) {
    return new TextSpec(json.getString("input"), json.getString("output"), json.getInteger("max_texts", 1),
        json.getInteger("max_text_bytes", 0));
  }
}
