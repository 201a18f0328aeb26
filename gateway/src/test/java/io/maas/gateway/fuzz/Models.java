package io.maas.gateway.fuzz;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The models of {@link io.maas.gateway.TestRepository} as a fuzz case sees them, with valid data for each input
 * (the starting point of mutations), and names no repository holds.
 */
final class Models {
  private Models() {}

  /** An input: its name, datatype and shape (-1: any size). */
  record Input(String name, String datatype, long... shape) {}

  /**
   * @param available false for a model the node reports UNAVAILABLE (a 503 / UNAVAILABLE is its right answer)
   * @param text whether the model takes text (its BYTES input is tokenised: MiniLM)
   */
  record Model(String name, boolean available, boolean text, List<Input> inputs) {}

  static final List<Model> ALL = catalog();

  private static List<Model> catalog() {
    List<Model> m = new ArrayList<>();
    m.add(new Model("simple", true, false, List.of(new Input("INPUT0", "INT32", -1, 16), new Input("INPUT1", "INT32", -1, 16))));
    m.add(new Model("affine_fp32", true, false, List.of(new Input("INPUT0", "FP32", -1, 4))));
    m.add(new Model("all-minilm-l6-v2", true, true, List.of(new Input("text", "BYTES", -1))));
    String[][] identities = {{"bool", "BOOL"}, {"uint8", "UINT8"}, {"int8", "INT8"}, {"int16", "INT16"},
        {"int32", "INT32"}, {"int64", "INT64"}, {"float16", "FP16"}, {"float", "FP32"}, {"double", "FP64"},
        {"string", "BYTES"}};
    for (String[] t : identities) {
      m.add(new Model("identity_" + t[0], true, false, List.of(new Input("INPUT0", t[1], -1, 3))));
    }
    for (String t : List.of("uint16", "uint32", "uint64")) {
      m.add(new Model("cast_to_" + t, true, false, List.of(new Input("INPUT0", "INT64", -1, 3))));
      m.add(new Model("identity_" + t, false, false, List.of(new Input("INPUT0", t.toUpperCase(), -1, 3))));
    }
    m.add(new Model("versioned", true, false, List.of(new Input("INPUT0", "INT32", -1, 2))));
    m.add(new Model("broken", false, false, List.of(new Input("INPUT0", "FP32", -1, 3))));
    return List.copyOf(m);
  }

  /** Model names no repository holds, or that no path should carry. */
  static final List<String> STRANGE_NAMES = List.of("nope", "x".repeat(300), "x".repeat(5_000), "%", "%%", "%2F",
      "a%00b", "..", "%2e%2e", "m%C3%A9", "SIMPLE", "simple%20", "simple;v=1", "simple/../affine_fp32", "%ZZ",
      "%C3%28", "stats", "~", "%E2%80%AE");

  /** Version segments, most of them wrong. */
  static final List<String> STRANGE_VERSIONS = List.of("0", "-1", "3", "99999999999999999999", "abc", "1.0", "01",
      "%31", "1e3", "");

  /** The model of that name. */
  static Model named(String name) {
    return ALL.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  /** A model of the repository. */
  static Model any(Mutations m) {
    return m.pick(ALL);
  }

  /** A model name: a real one most of the time, else a strange one. */
  static String name(Mutations m, Model model) {
    return m.chance(0.8) ? model.name() : m.pick(STRANGE_NAMES);
  }

  /** The shape a valid request gives an input: -1 dimensions get small sizes, the batch is 1 or 2. */
  static long[] concreteShape(Mutations m, Input in) {
    long[] s = in.shape().clone();
    for (int i = 0; i < s.length; i++) {
      if (s[i] < 0) {
        s[i] = i == 0 ? m.between(1, 2) : m.between(1, 4);
      }
    }
    return s;
  }

  static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Valid flat JSON data for an input of that datatype and element count (MiniLM's text is short). */
  static JsonArray data(Mutations m, String datatype, long count) {
    JsonArray a = new JsonArray();
    for (long i = 0; i < count; i++) {
      a.add(value(m, datatype));
    }
    return a;
  }

  static Object value(Mutations m, String datatype) {
    return switch (datatype) {
      case "BOOL" -> m.random.nextBoolean();
      case "UINT8" -> m.between(0, 255);
      case "INT8" -> m.between(-128, 127);
      case "INT16" -> m.between(-32768, 32767);
      case "INT32", "INT64" -> m.between(-1000, 1000);
      case "UINT16", "UINT32", "UINT64" -> m.between(0, 1000);
      case "FP16", "FP32", "FP64" -> m.between(-1000, 1000) / 8.0;
      default -> m.pick("hello world", "", "A man is eating food.", "ünïcödé ✓", "x".repeat(m.between(1, 400)));
    };
  }

  /** The shape as a JSON array. */
  static JsonArray json(long[] shape) {
    JsonArray a = new JsonArray();
    for (long d : shape) {
      a.add(d);
    }
    return a;
  }

  /** Nests flat data to a shape (row-major), as TF Serving and the simple predict call take it. */
  static Object nest(JsonArray flat, long[] shape, int depth, int[] next) {
    if (depth == shape.length) {
      return flat.getValue(next[0]++);
    }
    JsonArray out = new JsonArray();
    for (long i = 0; i < shape[depth]; i++) {
      out.add(nest(flat, shape, depth + 1, next));
    }
    return out;
  }
}
