package io.maas.gateway.repository;

import com.google.protobuf.ByteString;
import io.maas.error.MaasException;
import io.maas.model.ModelFilePath;
import io.maas.model.ModelPolicy;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a repository load, read alike by the REST and gRPC edges: Triton's {@code config} (a model
 * configuration as a JSON string) and {@code file:<version>/<name>} (a model file: base64 on REST, bytes on gRPC),
 * which needs a {@code config}; and maas's {@code replicas}, {@code traffic} and {@code version_labels} (each a JSON
 * object, or a JSON string holding one: gRPC's string parameter), which set the model's policy over its
 * configuration's. Any other name is refused.
 *
 * @param config the configuration given, or null for none
 * @param files uploaded files by path in the model's directory
 * @param policy the replicas, traffic weights and version labels given ({@link ModelPolicy#NONE}: none)
 */
public record LoadParameters(JsonObject config, Map<String, byte[]> files, ModelPolicy policy) {
  /** The parameters that set the model's policy, as its configuration names the same sections. */
  private static final Set<String> POLICY = Set.of("replicas", "traffic", "version_labels");

  /**
   * @param parameters name to value: a String, a JsonObject (REST's object form of {@code config}), a
   *     {@code ByteString} (gRPC's bytes), or anything else the edge decoded
   * @throws MaasException INVALID_ARGUMENT for a parameter not taken, a configuration that is not a JSON object (or
   *     whose replicas, traffic or version_labels are malformed), a file path out of the model's directory, content
   *     that is not base64, or a malformed replicas, traffic or version_labels parameter, naming the parameter
   */
  public static LoadParameters of(Map<String, ?> parameters) {
    JsonObject config = null;
    Map<String, byte[]> files = new HashMap<>();
    JsonObject policy = new JsonObject();
    for (Map.Entry<String, ?> p : parameters.entrySet()) {
      String name = p.getKey();
      if (name.equals("config")) {
        config = config(p.getValue());
        policy("config", config);
      } else if (name.startsWith("file:")) {
        files.put(ModelFilePath.check(name.substring("file:".length())), content(name, p.getValue()));
      } else if (POLICY.contains(name)) {
        policy.put(name, section(name, p.getValue()));
      } else {
        throw MaasException.invalid("unknown load parameter '%s': 'config', 'file:<version>/<name>', 'replicas', "
            + "'traffic' and 'version_labels' are taken", shortened(name));
      }
    }
    if (!files.isEmpty() && config == null) {
      // Triton's rule: uploaded files come with the configuration they are to be served with
      throw MaasException.invalid("'file:' parameters need a 'config' parameter too (\"{}\" for the defaults)");
    }
    ModelPolicy set = ModelPolicy.NONE;
    for (String name : policy.fieldNames()) {
      set = set.overriddenBy(policy(name, new JsonObject().put(name, policy.getValue(name))));
    }
    return new LoadParameters(config, files, set);
  }

  /** A replicas, traffic or version_labels parameter: a JSON object (REST), or a JSON string holding one. */
  private static JsonObject section(String name, Object value) {
    return object(name, value, "a JSON object (or a JSON string holding one)");
  }

  /**
   * A parameter that holds a JSON object: the object itself (REST's object form), or a JSON string holding one.
   *
   * @param expected what the parameter must be, for the error
   */
  private static JsonObject object(String name, Object value, String expected) {
    if (value instanceof JsonObject o) {
      return o;
    }
    if (value instanceof String s) {
      try {
        return new JsonObject(s);
      } catch (DecodeException | ClassCastException e) {
        throw MaasException.invalid("parameter '%s' is not a JSON object: %s", name,
            e.getMessage().lines().findFirst().orElse(""));
      }
    }
    throw MaasException.invalid("parameter '%s' must be %s", name, expected);
  }

  /** The policy sections of a parameter, checked as a configuration's are. */
  private static ModelPolicy policy(String parameter, JsonObject sections) {
    try {
      return ModelPolicy.fromJson(sections);
    } catch (IllegalArgumentException e) {
      throw MaasException.invalid("parameter '%s': %s", parameter, e.getMessage());
    }
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
    return object("config", value, "a model configuration as a JSON string");
  }

  private static String shortened(String name) {
    return name.length() > 80 ? name.substring(0, 80) + "..." : name;
  }
}
