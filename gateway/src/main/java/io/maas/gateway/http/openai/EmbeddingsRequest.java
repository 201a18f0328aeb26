package io.maas.gateway.http.openai;

import io.maas.error.MaasException;
import io.maas.gateway.http.V2Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI embeddings request body, checked.
 *
 * @param model the model name
 * @param inputs the texts, at least one
 * @param base64 whether vectors are wanted as base64 little-endian float32 ({@code encoding_format: base64})
 * @param dimensions the requested vector length, or null
 */
record EmbeddingsRequest(String model, List<String> inputs, boolean base64, Integer dimensions) {
  /** OpenAI's own limit on the number of inputs of one request. */
  static final int MAX_INPUTS = 2048;

  static EmbeddingsRequest parse(Buffer body) {
    JsonObject json = V2Json.parseObject(body);
    if (!(json.getValue("model") instanceof String model) || model.isEmpty()) {
      throw MaasException.invalid("'model' is required: the name of a text model");
    }
    return new EmbeddingsRequest(model, inputs(json.getValue("input")), base64(json.getValue("encoding_format")),
        dimensions(json.getValue("dimensions")));
  }

  private static List<String> inputs(Object input) {
    if (input instanceof String s) {
      return List.of(nonEmpty(s, "'input'"));
    }
    if (!(input instanceof JsonArray array)) {
      throw MaasException.invalid("'input' is required: a string or an array of strings");
    }
    if (array.isEmpty()) {
      throw MaasException.invalid("'input' is an empty array; send at least one string");
    }
    if (array.size() > MAX_INPUTS) {
      throw MaasException.invalid("'input' holds %d strings, over the limit of %d", array.size(), MAX_INPUTS);
    }
    List<String> texts = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object v = array.getValue(i);
      if (v instanceof Number || v instanceof JsonArray) {
        throw MaasException.invalid("'input[%d]' is a token id or token array; this server takes text only: "
            + "send strings", i);
      }
      if (!(v instanceof String s)) {
        throw MaasException.invalid("'input[%d]' must be a string", i);
      }
      texts.add(nonEmpty(s, "'input[" + i + "]'"));
    }
    return texts;
  }

  private static String nonEmpty(String s, String what) {
    if (s.isEmpty()) {
      throw MaasException.invalid("%s is an empty string", what);
    }
    return s;
  }

  private static boolean base64(Object format) {
    if (format == null || "float".equals(format)) {
      return false;
    }
    if ("base64".equals(format)) {
      return true;
    }
    throw MaasException.invalid("unknown encoding_format %s: use 'float' or 'base64'",
        format instanceof String s ? "'" + s + "'" : String.valueOf(format));
  }

  private static Integer dimensions(Object dimensions) {
    if (dimensions == null) {
      return null;
    }
    if (!(dimensions instanceof Integer d) || d < 1) {
      throw MaasException.invalid("'dimensions' must be a positive integer");
    }
    return d;
  }
}
