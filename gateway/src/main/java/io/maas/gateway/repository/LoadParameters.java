package io.maas.gateway.repository;

import com.google.protobuf.ByteString;
import io.maas.error.MaasException;
import io.maas.model.ModelFilePath;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The parameters of a repository load, as Triton names them, read alike by the REST and gRPC edges: {@code config}
 * (a model configuration as a JSON string) and {@code file:<version>/<name>} (a model file: base64 on REST, bytes
 * on gRPC), which needs a {@code config}; any other name is refused.
 *
 * @param config the configuration given, or null for none
 * @param files uploaded files by path in the model's directory
 */
public record LoadParameters(JsonObject config, Map<String, byte[]> files) {
  /**
   * @param parameters name to value: a String, a JsonObject (REST's object form of {@code config}), a
   *     {@code ByteString} (gRPC's bytes), or anything else the edge decoded
   * @throws MaasException INVALID_ARGUMENT for a parameter not taken, a configuration that is not a JSON object, a
   *     file path out of the model's directory or content that is not base64
   */
  public static LoadParameters of(Map<String, ?> parameters) {
    JsonObject config = null;
    Map<String, byte[]> files = new HashMap<>();
    for (Map.Entry<String, ?> p : parameters.entrySet()) {
      String name = p.getKey();
      if (name.equals("config")) {
        config = config(p.getValue());
      } else if (name.startsWith("file:")) {
        files.put(ModelFilePath.check(name.substring("file:".length())), content(name, p.getValue()));
      } else {
        throw MaasException.invalid("unknown load parameter '%s': 'config' and 'file:<version>/<name>' are taken",
            shortened(name));
      }
    }
    if (!files.isEmpty() && config == null) {
      // Triton's rule: uploaded files come with the configuration they are to be served with
      throw MaasException.invalid("'file:' parameters need a 'config' parameter too (\"{}\" for the defaults)");
    }
    return new LoadParameters(config, files);
  }

  /** A {@code file:} parameter's content: base64 text (REST, as Triton's HTTP API sends it) or bytes (gRPC). */
  private static byte[] content(String name, Object value) {
    if (value instanceof ByteString b) {
      return b.toByteArray();
    }
    if (!(value instanceof String s)) {
      throw MaasException.invalid("parameter '%s' must be the file's content (base64 on REST)", shortened(name));
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw MaasException.invalid("parameter '%s' is not base64: %s", shortened(name), e.getMessage());
    }
  }

  /** Triton's {@code config} parameter: the model configuration as a JSON string (an object is taken too). */
  private static JsonObject config(Object value) {
    if (value instanceof JsonObject o) {
      return o;
    }
    if (value instanceof String s) {
      try {
        return new JsonObject(s);
      } catch (DecodeException | ClassCastException e) {
        throw MaasException.invalid("parameter 'config' is not a JSON object: %s",
            e.getMessage().lines().findFirst().orElse(""));
      }
    }
    throw MaasException.invalid("parameter 'config' must be a model configuration as a JSON string");
  }

  private static String shortened(String name) {
    return name.length() > 80 ? name.substring(0, 80) + "..." : name;
  }
}
