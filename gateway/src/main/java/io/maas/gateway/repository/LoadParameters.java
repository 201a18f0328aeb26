package io.maas.gateway.repository;

import io.maas.error.MaasException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The parameters of a repository load, as Triton names them, read alike by the REST and gRPC edges: {@code config}
 * (a model configuration as a JSON string) is taken; {@code file:...} (uploaded model files) is refused for now;
 * any other name is refused too.
 */
public final class LoadParameters {
  private LoadParameters() {}

  /**
   * The configuration the parameters give, or null for none.
   *
   * @param parameters name to value: a String, a JsonObject (REST's object form of {@code config}), or anything
   *     else the edge decoded
   * @throws MaasException INVALID_ARGUMENT for a parameter not taken or a configuration that is not a JSON object
   */
  public static JsonObject config(Map<String, ?> parameters) {
    JsonObject config = null;
    for (Map.Entry<String, ?> p : parameters.entrySet()) {
      String name = p.getKey();
      if (name.equals("config")) {
        config = config(p.getValue());
      } else if (name.startsWith("file:")) {
        throw MaasException.invalid("parameter '%s': uploading model files through the API is not supported yet; "
            + "put them in the workers' model repository", shortened(name));
      } else {
        throw MaasException.invalid("unknown load parameter '%s': 'config' is taken", shortened(name));
      }
    }
    return config;
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
        throw MaasException.invalid("parameter 'config' is not a JSON object: %s", e.getMessage());
      }
    }
    throw MaasException.invalid("parameter 'config' must be a model configuration as a JSON string");
  }

  private static String shortened(String name) {
    return name.length() > 80 ? name.substring(0, 80) + "..." : name;
  }
}
