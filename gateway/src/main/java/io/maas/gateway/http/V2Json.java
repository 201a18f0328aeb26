package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The KServe V2 REST request and response bodies. The infer path streams: {@link V2RequestReader} and
 * {@link V2ResponseWriter} go between JSON text and tensor bytes with no JSON tree of boxed numbers.
 */
public final class V2Json {
  private V2Json() {}

  /**
   * Which outputs go back as binary data: those whose request entry says {@code binary_data: true}, and
   * all others when the request says {@code binary_data_output: true}.
   */
  public record BinaryOutputs(boolean byDefault, Map<String, Boolean> perOutput) {
    public static final BinaryOutputs NONE = new BinaryOutputs(false, Map.of());

    public boolean binary(String output) {
      return perOutput.getOrDefault(output, byDefault);
    }
  }

  /** A decoded request and how its outputs are to be encoded. */
  public record Decoded(InferenceRequest request, BinaryOutputs binaryOutputs) {}

  /** A plain JSON request (no binary tensor data). */
  public static InferenceRequest decodeRequest(String model, String version, Buffer body, EdgeLimits limits) {
    return decodeRequest(model, version, body, null, limits).request();
  }

  /**
   * Decodes a request whose body may carry binary tensor data after its JSON header, in one streaming
   * pass (see {@link V2RequestReader}).
   *
   * @param headerLength the {@code Inference-Header-Content-Length} header, or null
   */
  public static Decoded decodeRequest(String model, String version, Buffer body, String headerLength,
      EdgeLimits limits) {
    return V2RequestReader.read(model, version, body, headerLength, limits);
  }

  /**
   * A response body: JSON, or a JSON header of {@code headerLength} bytes followed by the outputs asked
   * for as binary data.
   *
   * @param headerLength the JSON header's length, or -1 when the whole body is JSON
   */
  public record Encoded(Buffer body, int headerLength) {
    public boolean isBinary() {
      return headerLength >= 0;
    }
  }

  /** Encodes a response straight into its body buffer (see {@link V2ResponseWriter}). */
  public static Encoded encodeResponse(InferenceResponse r, BinaryOutputs binaryOutputs) {
    return V2ResponseWriter.write(r, binaryOutputs);
  }

  /** A response as plain JSON. */
  public static Buffer encodeResponse(InferenceResponse r) {
    return encodeResponse(r, BinaryOutputs.NONE).body();
  }

  /**
   * A request body that must be one JSON object (KServe's repository index, simple predict, OpenAI embeddings), or
   * INVALID_ARGUMENT: empty, malformed (its parser's first line), or another JSON value.
   */
  public static JsonObject parseObject(Buffer body) {
    if (body == null || body.length() == 0) {
      throw MaasException.invalid("the request body is empty; a JSON object is expected");
    }
    Object parsed;
    try {
      parsed = body.toJsonValue();
    } catch (DecodeException e) {
      throw MaasException.invalid("malformed JSON: %s", firstLine(e.getMessage()));
    }
    if (!(parsed instanceof JsonObject json)) {
      throw MaasException.invalid("the request body must be a JSON object");
    }
    return json;
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
