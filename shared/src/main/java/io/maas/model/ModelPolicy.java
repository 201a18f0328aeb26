package io.maas.model;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How the cluster serves a model beyond its signature: how many copies it keeps ({@link Replicas}), how
 * unversioned requests split among its versions ({@code traffic}: version to weight, e.g. a 10 % canary
 * {@code {"2": 10, "1": 90}}), and the names its versions go by ({@code version_labels}, TF Serving's: e.g.
 * {@code {"stable": "1", "canary": "2"}}). Set in a model's configuration file, or through the repository API
 * (load parameters), which wins field by field.
 *
 * @param replicas null: not set here
 * @param traffic empty: not set here (unversioned requests go to the highest version ready)
 * @param labels empty: not set here
 */
public record ModelPolicy(Replicas replicas, Map<String, Integer> traffic, Map<String, String> labels) {
  public static final ModelPolicy NONE = new ModelPolicy(null, Map.of(), Map.of());
  /** A version label: a letter, then letters, digits, '_', '.' or '-' (64 at most), so it never reads as a number. */
  private static final Pattern LABEL = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

  public ModelPolicy {
    traffic = traffic == null ? Map.of() : Map.copyOf(new TreeMap<>(traffic));
    labels = labels == null ? Map.of() : Map.copyOf(new TreeMap<>(labels));
  }

  /** This policy with the fields another sets replacing its own. */
  public ModelPolicy overriddenBy(ModelPolicy other) {
    if (other == null) {
      return this;
    }
    return new ModelPolicy(other.replicas != null ? other.replicas : replicas,
        other.traffic.isEmpty() ? traffic : other.traffic, other.labels.isEmpty() ? labels : other.labels);
  }

  public boolean isEmpty() {
    return replicas == null && traffic.isEmpty() && labels.isEmpty();
  }

  /** Puts the fields set into a JSON object (a model configuration, or a wanted model), in config-file names. */
  public JsonObject into(JsonObject json) {
    if (replicas != null) {
      json.put("replicas", replicas.toJson());
    }
    if (!traffic.isEmpty()) {
      json.put("traffic", new JsonObject(new TreeMap<String, Object>(traffic)));
    }
    if (!labels.isEmpty()) {
      json.put("version_labels", new JsonObject(new TreeMap<String, Object>(labels)));
    }
    return json;
  }

  /**
   * Reads {@code replicas}, {@code traffic} and {@code version_labels} from a configuration (other keys are left
   * alone). Traffic weights are whole numbers 0..1,000,000 on numbered versions, at least one above 0; labels
   * name numbered versions.
   *
   * @throws IllegalArgumentException naming the bad field
   */
  public static ModelPolicy fromJson(JsonObject json) {
    if (json == null) {
      return NONE;
    }
    Replicas replicas = json.getValue("replicas") == null ? null : Replicas.fromJson(json.getValue("replicas"));
    Map<String, Integer> traffic = new TreeMap<>();
    Object t = json.getValue("traffic");
    if (t != null) {
      if (!(t instanceof JsonObject weights) || weights.isEmpty()) {
        throw new IllegalArgumentException("traffic must be an object of version to weight, e.g. {\"2\": 10, \"1\": 90}");
      }
      for (Map.Entry<String, Object> e : weights) {
        version("traffic", e.getKey());
        if (!(e.getValue() instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0
            || n.longValue() > 1_000_000) {
          throw new IllegalArgumentException("traffic weight of version " + e.getKey()
              + " must be a whole number 0..1000000, not " + e.getValue());
        }
        traffic.put(e.getKey(), n.intValue());
      }
      if (traffic.values().stream().allMatch(w -> w == 0)) {
        throw new IllegalArgumentException("traffic weights must not all be 0");
      }
    }
    Map<String, String> labels = new TreeMap<>();
    Object l = json.getValue("version_labels");
    if (l != null) {
      if (!(l instanceof JsonObject names)) {
        throw new IllegalArgumentException("version_labels must be an object of label to version, e.g. {\"stable\": 1}");
      }
      for (Map.Entry<String, Object> e : names) {
        if (!isLabel(e.getKey())) {
          throw new IllegalArgumentException("version label '" + shortened(e.getKey())
              + "' must start with a letter and hold letters, digits, '_', '.' or '-' (64 at most)");
        }
        labels.put(e.getKey(), version("version_labels." + e.getKey(), String.valueOf(e.getValue())));
      }
    }
    return new ModelPolicy(replicas, traffic, labels);
  }

  /** Whether a name is a well-formed version label (one a request may name a version by). */
  public static boolean isLabel(String name) {
    return LABEL.matcher(name).matches();
  }

  private static String version(String where, String v) {
    if (!v.matches("[1-9][0-9]{0,17}")) {
      throw new IllegalArgumentException(where + ": '" + shortened(v) + "' is not a version number");
    }
    return v;
  }

  private static String shortened(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
