package io.maas.gateway.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The seeded randomness of one fuzz case: picks, and the mutations it makes of JSON and bytes. JSON mutations work
 * on the parsed tree (a value replaced, a key dropped or added, an array emptied or blown up); values JSON cannot
 * hold as a tree (1e400, NaN, a bad escape, 3000 nested arrays) go in as placeholders that {@link #render} swaps for
 * their raw text. Byte mutations then cut, flip, insert and append.
 */
final class Mutations {
  /** Raw JSON text a tree cannot hold: numbers past every range, literals JSON lacks, malformed strings, depth. */
  static final List<String> RAW_TOKENS = List.of(
      "1e400", "-1e400", "1e39", "-1e39", "1e309", "65520", "65504", "256", "-129", "128", "32768", "-32769",
      "65536", "4294967296", "-2147483649", "2147483648", "9223372036854775808", "-9223372036854775809",
      "18446744073709551616", "18446744073709551615", "-0", "0.5", "1e-400", "1E+2", "3.4028235E38",
      "NaN", "Infinity", "-Infinity", "00012", ".5", "1.", "+1", "0x10", "9".repeat(500), "9".repeat(1_200),
      "\"\\u12\"", "\"\\x41\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"unterminated", "\"a\u0000b\"", "\"\\\"",
      "[".repeat(3_000) + "]".repeat(3_000), "[".repeat(900) + "1" + "]".repeat(900),
      "{\"a\":".repeat(1_200) + "1" + "}".repeat(1_200), "tru", "nul", "[1,]", "[,1]", "{\"a\" 1}", "{\"a\":1,}",
      "'single'", "true false", "[1 2]", "\"\\uD83D\\uDE00\"", "\"" + "\\\\".repeat(3) + "\"");
  /** Keys the APIs read, for mutations that add one. */
  static final List<String> KEYS = List.of("name", "datatype", "shape", "data", "parameters", "binary_data_size",
      "binary_data", "binary_data_output", "timeout", "outputs", "inputs", "id", "instances", "signature_name",
      "input", "model", "encoding_format", "dimensions", "user", "models", "rate_per_second", "burst",
      "daily_quota", "expires_at", "enabled", "owner", "classification", "sequence_id", "priority");
  static final List<String> DATATYPES = List.of("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
      "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES", "STRING", "TYPE_FP32", "BF16", "INT128", "", "fp32");

  final Random random;
  private final List<String> raws = new ArrayList<>();

  Mutations(long seed) {
    this.random = new Random(seed);
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  int between(int from, int to) {
    return from + random.nextInt(to - from + 1);
  }

  @SafeVarargs
  final <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  /** A placeholder for raw JSON text, swapped in by {@link #render}. */
  String raw(String token) {
    raws.add(token);
    return "@@RAW" + (raws.size() - 1) + "@@";
  }

  /** The JSON text of a value, with its placeholders swapped for their raw text. */
  String render(Object json) {
    String text = json instanceof JsonObject o ? o.encode() : json instanceof JsonArray a ? a.encode()
        : io.vertx.core.json.Json.encode(json);
    for (int i = raws.size() - 1; i >= 0; i--) {
      text = text.replace("\"@@RAW" + i + "@@\"", raws.get(i));
    }
    return text;
  }

  /** A value no API expects there: of another type, out of every range, empty, huge or malformed. */
  Object nasty() {
    return switch (random.nextInt(22)) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> 0;
      case 3 -> -1;
      case 4 -> 3.5;
      case 5 -> Long.MAX_VALUE;
      case 6 -> "";
      case 7 -> "x";
      case 8 -> "a".repeat(between(1_000, 20_000));
      case 9 -> "modèle 名前 \uFFFF\u0001\n\t\"\\";
      case 10 -> new JsonArray();
      case 11 -> array(1, 2, 3);
      case 12 -> array("a", "b");
      case 13 -> array(array(1, 2), array(3));
      case 14 -> new JsonObject();
      case 15 -> new JsonObject().put("a", 1);
      case 16 -> new JsonArray(new ArrayList<>(java.util.Collections.nCopies(between(100, 5_000), 7)));
      default -> raw(pick(RAW_TOKENS));
    };
  }

  /** One to three structural mutations of a copy of the tree, rendered; then, at times, byte mutations. */
  byte[] mutateJson(Object tree) {
    Object copy = tree instanceof JsonObject o ? o.copy() : tree instanceof JsonArray a ? a.copy() : tree;
    int n = between(1, 3);
    for (int i = 0; i < n; i++) {
      copy = mutateTree(copy);
    }
    byte[] bytes = render(copy).getBytes(StandardCharsets.UTF_8);
    return chance(0.25) ? mutateBytes(bytes) : bytes;
  }

  private Object mutateTree(Object root) {
    List<Object> containers = new ArrayList<>();
    collect(root, containers);
    if (containers.isEmpty() || chance(0.03)) {
      return nasty(); // the whole body
    }
    Object c = pick(containers);
    if (c instanceof JsonObject o) {
      List<String> keys = new ArrayList<>(o.fieldNames());
      int op = random.nextInt(10);
      if (keys.isEmpty() || op < 2) {
        o.put(pick(KEYS), nasty());
      } else if (op < 3) {
        o.remove(pick(keys));
      } else if (op < 4 && o.containsKey("datatype")) {
        o.put("datatype", pick(DATATYPES));
      } else if (op < 5 && o.containsKey("shape")) {
        o.put("shape", shape());
      } else {
        o.put(pick(keys), nasty());
      }
    } else if (c instanceof JsonArray a) {
      int op = random.nextInt(10);
      if (a.isEmpty() || op < 2) {
        a.add(nasty());
      } else if (op < 3) {
        a.remove(random.nextInt(a.size()));
      } else if (op < 4) {
        a.clear();
      } else if (op < 5) {
        Object e = a.getValue(random.nextInt(a.size()));
        for (int i = between(1, 2_000); i > 0; i--) {
          a.add(e);
        }
      } else if (op < 6) {
        JsonArray wrapped = a.copy();
        a.clear();
        a.add(wrapped);
      } else {
        a.set(random.nextInt(a.size()), nasty());
      }
    }
    return root;
  }

  private static void collect(Object node, List<Object> out) {
    if (node instanceof JsonObject o) {
      out.add(o);
      o.forEach(e -> collect(e.getValue(), out));
    } else if (node instanceof JsonArray a) {
      out.add(a);
      a.forEach(e -> collect(e, out));
    } else if (node instanceof Map<?, ?> || node instanceof List<?>) {
      throw new IllegalStateException("trees are JsonObject and JsonArray");
    }
  }

  /** A shape a model may or may not take: negative, zero, huge, fractional, deep. */
  JsonArray shape() {
    return switch (random.nextInt(9)) {
      case 0 -> new JsonArray();
      case 1 -> array(-1);
      case 2 -> array(1L << 40, 1L << 40);
      case 3 -> array(0);
      case 4 -> array(1, 0, 16);
      case 5 -> new JsonArray(new ArrayList<>(java.util.Collections.nCopies(20, 1)));
      case 6 -> array(1.5);
      case 7 -> array("1");
      default -> array(between(0, 9), between(0, 20));
    };
  }

  /** A JSON array that mutations may change (List.of is not). */
  static JsonArray array(Object... values) {
    return new JsonArray(new ArrayList<>(Arrays.asList(values)));
  }

  /** Bytes cut, flipped, spliced with junk or replaced. */
  byte[] mutateBytes(byte[] bytes) {
    byte[] b = bytes;
    int n = between(1, 2);
    for (int i = 0; i < n; i++) {
      int at = b.length == 0 ? 0 : random.nextInt(b.length);
      b = switch (random.nextInt(8)) {
        case 0 -> Arrays.copyOf(b, at); // truncated
        case 1 -> {
          byte[] c = b.clone();
          if (c.length > 0) {
            c[at] = (byte) random.nextInt(256);
          }
          yield c;
        }
        case 2 -> splice(b, at, at, randomBytes(between(1, 16)));
        case 3 -> splice(b, at, Math.min(b.length, at + between(1, 64)), new byte[0]);
        case 4 -> splice(b, at, at, pick(RAW_TOKENS).getBytes(StandardCharsets.UTF_8));
        case 5 -> splice(b, b.length, b.length, randomBytes(between(1, 64))); // junk after the value
        case 6 -> splice(b, b.length, b.length, b); // the body twice
        default -> randomBytes(between(0, 256));
      };
    }
    return b;
  }

  byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }
}
