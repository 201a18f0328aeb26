package io.maas.config;

import io.vertx.config.yaml.YamlProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The configuration keys there are: exactly those of the defaults that ship with the code, the jar's own
 * {@code conf/maas.yaml} (never a copy in the working directory, which may be old or edited). The typed records
 * read every one of them and nothing else ({@code DefaultsTest} proves it), so this is the only list of keys.
 *
 * <p>A key is a <em>section</em> when its default is a mapping ({@code gateway}, {@code gateway.tls},
 * {@code worker.session}, ...) and a <em>leaf</em> otherwise. A leaf's value is checked by the typed records,
 * whatever its shape: lists such as {@code worker.slots} and {@code worker.models} check their own items.
 */
public final class KnownKeys {
  private final Set<String> leaves;
  private final Set<String> sections;
  private final Map<String, String> keyOfVariable;

  private KnownKeys(Set<String> leaves, Set<String> sections) {
    this.leaves = Collections.unmodifiableSet(leaves);
    this.sections = Collections.unmodifiableSet(sections);
    Map<String, String> byVariable = new LinkedHashMap<>();
    for (String key : leaves) {
      String clash = byVariable.put(variableOf(key), key);
      if (clash != null) {
        throw new IllegalStateException(ConfigLoader.DEFAULTS + ": keys " + clash + " and " + key
            + " would both be set by " + variableOf(key));
      }
    }
    this.keyOfVariable = Collections.unmodifiableMap(byVariable);
  }

  /** The keys of a defaults document. */
  public static KnownKeys of(JsonObject defaults) {
    Set<String> leaves = new LinkedHashSet<>();
    Set<String> sections = new LinkedHashSet<>();
    collect(defaults, "", leaves, sections);
    return new KnownKeys(leaves, sections);
  }

  /** The keys of the defaults that ship with the code. */
  public static Future<KnownKeys> bundled(Vertx vertx) {
    return bundledDefaults(vertx).map(KnownKeys::of);
  }

  /** The jar's own {@code conf/maas.yaml}. */
  public static Future<JsonObject> bundledDefaults(Vertx vertx) {
    Buffer yaml;
    try (InputStream in = KnownKeys.class.getClassLoader().getResourceAsStream(ConfigLoader.DEFAULTS)) {
      if (in == null) {
        return Future.failedFuture(new IllegalStateException(ConfigLoader.DEFAULTS + " is not on the class path"));
      }
      yaml = Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new YamlProcessor().process(vertx, new JsonObject(), yaml);
  }

  private static void collect(JsonObject node, String prefix, Set<String> leaves, Set<String> sections) {
    for (String name : node.fieldNames()) {
      String key = prefix + name;
      if (node.getValue(name) instanceof JsonObject child) {
        sections.add(key);
        collect(child, key + ".", leaves, sections);
      } else {
        leaves.add(key);
      }
    }
  }

  /** Every key that holds a value, dotted ({@code gateway.tls.cert_file}), in the order of the defaults. */
  public Set<String> leaves() {
    return leaves;
  }

  /** Every key that holds keys ({@code gateway}, {@code gateway.tls}). */
  public Set<String> sections() {
    return sections;
  }

  /**
   * The environment variable that sets a key: {@code MAAS_} and the dotted key in upper case, with its dots as
   * underscores, at any depth ({@code gateway.tls.cert_file}: {@code MAAS_GATEWAY_TLS_CERT_FILE}).
   */
  public static String variableOf(String key) {
    return "MAAS_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** The known key a variable sets, or null. */
  String keyOfVariable(String variable) {
    return keyOfVariable.get(variable);
  }

  /**
   * Refuses a configuration fragment holding a key nobody reads.
   *
   * @param origin where the fragment came from, for the message (a file, a variable, the command line)
   * @throws IllegalArgumentException naming the first unknown key, its origin and the nearest known key
   */
  void check(JsonObject fragment, String origin) {
    check(fragment, "", origin);
  }

  private void check(JsonObject node, String prefix, String origin) {
    for (String name : node.fieldNames()) {
      String key = prefix + name;
      Object value = node.getValue(name);
      if (sections.contains(key)) {
        if (!(value instanceof JsonObject child)) {
          throw new IllegalArgumentException("configuration key '" + key + "' (from " + origin + ") is a section: set"
              + " its keys, such as '" + firstLeafUnder(key) + "', not the value " + value);
        }
        check(child, key + ".", origin);
      } else if (!leaves.contains(key)) {
        throw new IllegalArgumentException(unknown(key, origin));
      } else if (value instanceof JsonObject child && !child.isEmpty()) {
        check(child, key + ".", origin); // a leaf given keys: each is unknown
      }
    }
  }

  private String firstLeafUnder(String section) {
    return leaves.stream().filter(k -> k.startsWith(section + ".")).findFirst().orElse(section);
  }

  private String unknown(String key, String origin) {
    String message = "unknown configuration key '" + key + "' (from " + origin + ")";
    String nearest = nearest(key);
    return nearest == null ? message + "; docs/configuration.md lists the keys"
        : message + ": did you mean '" + nearest + "'?";
  }

  /** The known key nearest to an unknown one (edit distance), or null when none is near. */
  String nearest(String key) {
    String best = leaves.stream().min(Comparator.comparingInt(k -> distance(k, key))).orElse(null);
    return best != null && distance(best, key) <= Math.max(2, key.length() / 3) ? best : null;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
