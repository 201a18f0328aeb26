package io.maas.worker.repository;

import io.maas.tensor.DataType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One input of a warmup sample ({@link ModelWarmup}), in Triton's words: its datatype, its dims (without
 * the batch dimension when the model batches) and where its data comes from, exactly one of
 * {@code zero_data: true}, {@code random_data: true}, {@code input_data_file: FILE} or, for the text input
 * of a text model (a maas extension), {@code texts: [...]}.
 *
 * @param dataType the datatype (for {@code texts}: BYTES)
 * @param dims the sample's dims, every one fixed (for {@code texts}: the number of texts)
 * @param data where the values come from
 * @param file the raw data file (row-major, little-endian; BYTES as 4-byte lengths and bytes), relative to the
 *     model directory or its {@code warmup/} directory; null unless {@code data} is {@link Data#FILE}
 * @param texts the sample texts; empty unless {@code data} is {@link Data#TEXTS}
 */
public record WarmupInput(DataType dataType, List<Long> dims, Data data, String file, List<String> texts) {

  /** Where a warmup input's values come from. */
  public enum Data {
    /** Zeros (BYTES: empty strings; BOOL: false). */
    ZERO,
    /** Seeded random values: floats in [0, 1), integers in [0, 127], booleans, strings of 8 letters. */
    RANDOM,
    /** A file of raw values. */
    FILE,
    /** Sample texts for a text model's text input. */
    TEXTS
  }

  /** A bound that keeps a typo in dims from allocating gigabytes at load. */
  static final long MAX_ELEMENTS = 64L << 20;

  private static final Set<String> KEYS = Set.of("data_type", "datatype", "dims", "zero_data", "random_data",
      "input_data_file", "texts");

  public WarmupInput {
    dims = List.copyOf(dims);
    texts = List.copyOf(texts);
  }

  /** How many elements one sample of this input holds. */
  public long elements() {
    return dims.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
  }

  /**
   * Parses one entry of a sample's {@code inputs}.
   *
   * @param where how errors name it, e.g. {@code model_warmup[0] 'sample': inputs.INPUT0}
   * @throws IllegalArgumentException naming the offending key
   */
  static WarmupInput fromJson(String where, Object value) {
    if (!(value instanceof JsonObject j)) {
      throw new IllegalArgumentException(where + " must be a mapping with data_type, dims and one of zero_data, "
          + "random_data, input_data_file or texts");
    }
    for (String key : j.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(where + "." + key + " is not a known key; known keys are "
            + KEYS.stream().sorted().toList());
      }
    }
    List<Data> given = new ArrayList<>();
    if (flag(where, j, "zero_data")) {
      given.add(Data.ZERO);
    }
    if (flag(where, j, "random_data")) {
      given.add(Data.RANDOM);
    }
    if (j.getValue("input_data_file") != null) {
      given.add(Data.FILE);
    }
    if (j.getValue("texts") != null) {
      given.add(Data.TEXTS);
    }
    if (given.size() != 1) {
      throw new IllegalArgumentException(where + " needs exactly one of zero_data: true, random_data: true, "
          + "input_data_file or texts" + (given.isEmpty() ? "" : "; it gives " + given.size()));
    }
    Data data = given.get(0);
    String typeKey = j.containsKey("data_type") ? "data_type" : "datatype";
    Object type = j.getValue(typeKey);
    if (data == Data.TEXTS) {
      List<String> texts = texts(where, j.getValue("texts"));
      DataType t = type == null ? DataType.BYTES : dataType(where + "." + typeKey, type);
      if (t != DataType.BYTES) {
        throw new IllegalArgumentException(where + ".texts: the input's data_type must be TYPE_STRING (BYTES), not "
            + type);
      }
      List<Long> dims = j.getValue("dims") == null ? List.of((long) texts.size()) : dims(where, j.getValue("dims"));
      if (!dims.equals(List.of((long) texts.size()))) {
        throw new IllegalArgumentException(where + ".dims must be [" + texts.size() + "] (the number of texts) or "
            + "left out, not " + dims);
      }
      return new WarmupInput(DataType.BYTES, dims, data, null, texts);
    }
    if (type == null) {
      throw new IllegalArgumentException(where + ".data_type is missing (e.g. TYPE_FP32)");
    }
    if (j.getValue("dims") == null) {
      throw new IllegalArgumentException(where + ".dims is missing (every dimension fixed, without the batch "
          + "dimension when max_batch_size > 0)");
    }
    String file = null;
    if (data == Data.FILE) {
      Object f = j.getValue("input_data_file");
      if (!(f instanceof String s) || s.isBlank()) {
        throw new IllegalArgumentException(where + ".input_data_file must name a file in the model directory");
      }
      file = s;
    }
    return new WarmupInput(dataType(where + "." + typeKey, type), dims(where, j.getValue("dims")), data, file,
        List.of());
  }

  private static boolean flag(String where, JsonObject j, String key) {
    Object v = j.getValue(key);
    if (v == null) {
      return false;
    }
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException(where + "." + key + " must be true or false, not " + v);
    }
    return b;
  }

  private static DataType dataType(String where, Object type) {
    if (!(type instanceof String s)) {
      throw new IllegalArgumentException(where + " must be a datatype such as TYPE_FP32, not " + type);
    }
    try {
      return DataType.parse(s);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  private static List<Long> dims(String where, Object value) {
    if (!(value instanceof JsonArray a)) {
      throw new IllegalArgumentException(where + ".dims must be a list of sizes, not " + value);
    }
    List<Long> dims = new ArrayList<>();
    for (Object o : a) {
      Long d = o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? Long.valueOf(n.longValue())
          : o instanceof String s && s.matches("\\d{1,18}") ? Long.valueOf(s) : null; // pbtxt-to-JSON: int64 as strings
      if (d == null || d < 1) {
        throw new IllegalArgumentException(where + ".dims must hold sizes of 1 or more (a warmup sample has no "
            + "variable dimension), not " + o);
      }
      dims.add(d);
    }
    long elements = 1;
    for (long d : dims) {
      elements *= d;
      if (elements > MAX_ELEMENTS) {
        throw new IllegalArgumentException(where + ".dims " + dims + " hold over " + MAX_ELEMENTS + " elements");
      }
    }
    return dims;
  }

  private static List<String> texts(String where, Object value) {
    if (!(value instanceof JsonArray a) || a.isEmpty()) {
      throw new IllegalArgumentException(where + ".texts must be a non-empty list of strings");
    }
    List<String> texts = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof String s)) {
        throw new IllegalArgumentException(where + ".texts must hold strings, not " + o);
      }
      texts.add(s);
    }
    return texts;
  }
}
