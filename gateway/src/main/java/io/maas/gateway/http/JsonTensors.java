package io.maas.gateway.http;

import io.maas.error.MaasException;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Half;
import io.maas.tensor.Tensor;
import io.vertx.core.json.JsonArray;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * KServe V2 JSON tensor data to and from raw little-endian bytes. Data may be flat or nested (row-major);
 * every value is checked against its datatype's range. JSON cannot say infinity or NaN, so a number past a float
 * type's range (1e39 for FP32, 1e400 for any, which a parser reads as infinity) is refused, never stored as
 * infinity.
 */
public final class JsonTensors {
  private JsonTensors() {}

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** Builds a tensor from JSON data, checking the element count against the shape. */
  public static Tensor fromJson(String name, DataType type, long[] shape, Object data, long maxElements) {
    long count = Tensor.elementCount(name, shape);
    if (count > maxElements) {
      throw MaasException.invalid("input '%s': %d elements is over the limit of %d", name, count, maxElements);
    }
    List<Object> flat = new ArrayList<>((int) Math.min(count, 4096)); // grows with the data actually sent
    flatten(name, data, flat, count);
    if (flat.size() != count) {
      throw MaasException.invalid("input '%s': shape %s needs %d values, got %d",
          name, java.util.Arrays.toString(shape), count, flat.size());
    }
    if (type == DataType.BYTES) {
      List<byte[]> elements = new ArrayList<>(flat.size());
      for (int i = 0; i < flat.size(); i++) {
        if (!(flat.get(i) instanceof String s)) {
          throw bad(name, i, flat.get(i), type);
        }
        elements.add(s.getBytes(StandardCharsets.UTF_8));
      }
      return new Tensor(name, type, shape, BytesElements.encode(elements));
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * type.elementSize())).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < flat.size(); i++) {
      put(out, type, flat.get(i), name, i);
    }
    return new Tensor(name, type, shape, out.array());
  }

  /** The most dimensions a tensor given as nested JSON arrays may have. */
  public static final int MAX_RANK = 16;

  /**
   * Builds a tensor whose shape is the nesting of its JSON arrays (as TF Serving and the simple predict
   * call send them): {@code [[1,2,3],[4,5,6]]} is [2, 3], a bare value is a scalar.
   */
  public static Tensor fromNested(String name, DataType type, Object data, long maxElements) {
    return fromJson(name, type, shapeOf(name, data, maxElements), data, maxElements);
  }

  /**
   * The shape of nested JSON arrays, checking that they are rectangular (every array at one depth has
   * the same length and holds only arrays or only values), at most {@link #MAX_RANK} deep and holding at
   * most {@code maxElements} values.
   */
  public static long[] shapeOf(String name, Object data, long maxElements) {
    List<Long> dims = new ArrayList<>();
    Object probe = data;
    while (isArray(probe)) {
      if (dims.size() == MAX_RANK) {
        throw MaasException.invalid("input '%s': nested deeper than the limit of %d dimensions", name, MAX_RANK);
      }
      List<?> list = list(probe);
      dims.add((long) list.size());
      probe = list.isEmpty() ? null : list.get(0);
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long count = 1;
    for (long d : shape) {
      count = d > 0 && count > maxElements / d ? Long.MAX_VALUE : count * d;
      if (count > maxElements) {
        throw MaasException.invalid("input '%s': more than %d elements is over the limit", name, maxElements);
      }
    }
    checkRectangular(name, data, shape, 0, new ArrayList<>());
    return shape;
  }

  private static void checkRectangular(String name, Object data, long[] shape, int depth, List<Integer> path) {
    if (depth == shape.length) {
      if (isArray(data)) {
        throw ragged(name, path, "is an array where the others at that depth are values");
      }
      return;
    }
    if (!isArray(data)) {
      throw ragged(name, path, "is a value where the others at that depth are arrays of " + shape[depth]);
    }
    List<?> list = list(data);
    if (list.size() != shape[depth]) {
      throw ragged(name, path, "holds " + list.size() + " elements where the others at that depth hold " + shape[depth]);
    }
    for (int i = 0; i < list.size(); i++) {
      path.add(i);
      checkRectangular(name, list.get(i), shape, depth + 1, path);
      path.remove(path.size() - 1);
    }
  }

  private static MaasException ragged(String name, List<Integer> path, String what) {
    StringBuilder at = new StringBuilder();
    path.forEach(i -> at.append('[').append(i).append(']'));
    return MaasException.invalid("input '%s' is not rectangular: element %s %s",
        name, at.length() == 0 ? "(the top)" : at, what);
  }

  private static boolean isArray(Object o) {
    return o instanceof JsonArray || o instanceof List<?>;
  }

  private static List<?> list(Object o) {
    return o instanceof JsonArray a ? a.getList() : (List<?>) o;
  }

  private static void flatten(String name, Object data, List<Object> out, long limit) {
    if (data instanceof JsonArray a) {
      for (Object o : a) {
        flatten(name, o, out, limit);
      }
    } else if (data instanceof List<?> l) {
      for (Object o : l) {
        flatten(name, o, out, limit);
      }
    } else {
      if (out.size() >= limit) {
        throw MaasException.invalid("input '%s': more values than its shape holds (%d)", name, limit);
      }
      out.add(data);
    }
  }

  private static void put(ByteBuffer out, DataType type, Object v, String name, int index) {
    switch (type) {
      case BOOL -> {
        if (!(v instanceof Boolean b)) {
          throw bad(name, index, v, type);
        }
        out.put((byte) (b ? 1 : 0));
      }
      case FP16 -> {
        double d = real(v, name, index, type);
        short half = Half.fromFloat((float) d);
        if (Float.isInfinite(Half.toFloat(half))) { // over 65504, or a number past every range (1e400)
          throw range(name, index, v, type);
        }
        out.putShort(half);
      }
      case FP32 -> {
        double d = real(v, name, index, type);
        float f = (float) d; // rounds to nearest: 3.4028235E38 is FLT_MAX, 1e39 overflows
        if (Float.isInfinite(f)) { // JSON has no infinity: 1e400 is a number past every range
          throw range(name, index, v, type);
        }
        out.putFloat(f);
      }
      case FP64 -> {
        double d = real(v, name, index, type);
        if (Double.isInfinite(d)) { // 1e400: JSON has no infinity, the number is past FP64's range
          throw range(name, index, v, type);
        }
        out.putDouble(d);
      }
      case UINT64 -> {
        BigInteger b = integer(v, name, index, type);
        if (b.signum() < 0 || b.compareTo(UINT64_MAX) > 0) {
          throw range(name, index, v, type);
        }
        out.putLong(b.longValue());
      }
      default -> {
        BigInteger b = integer(v, name, index, type);
        if (b.bitLength() > 63 || b.longValue() < type.minInteger() || b.longValue() > type.maxInteger()) {
          throw range(name, index, v, type);
        }
        long l = b.longValue();
        switch (type.elementSize()) {
          case 1 -> out.put((byte) l);
          case 2 -> out.putShort((short) l);
          case 4 -> out.putInt((int) l);
          default -> out.putLong(l);
        }
      }
    }
  }

  private static double real(Object v, String name, int index, DataType type) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw bad(name, index, v, type);
  }

  private static BigInteger integer(Object v, String name, int index, DataType type) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return BigInteger.valueOf(((Number) v).longValue());
    }
    if (v instanceof BigInteger b) {
      return b;
    }
    if (v instanceof Number n) {
      try {
        return new BigDecimal(n.toString()).toBigIntegerExact();
      } catch (ArithmeticException | NumberFormatException e) { // a fraction, or not finite (1e400)
        throw MaasException.invalid("input '%s': value %s at index %d is not an integer, as %s needs",
            name, v, index, type);
      }
    }
    throw bad(name, index, v, type);
  }

  private static MaasException bad(String name, int index, Object v, DataType type) {
    String what = v == null ? "null" : v instanceof String ? "a string" : v instanceof Boolean ? "a boolean"
        : v instanceof Number ? "a number" : "an object";
    return MaasException.invalid("input '%s': value at index %d is %s, not a valid %s value", name, index, what, type);
  }

  private static MaasException range(String name, int index, Object v, DataType type) {
    return MaasException.invalid("input '%s': value %s at index %d is out of range for %s", name, v, index, type);
  }

  /** The tensor's data nested to its shape ({@code [[1,2],[3,4]]} for [2, 2]); a scalar is a bare value. */
  public static Object toNestedJson(Tensor t) {
    JsonArray flat = toJson(t);
    if (t.shape().length == 0) {
      return flat.getValue(0);
    }
    return nest(flat, t.shape(), 0, new int[] {0});
  }

  private static JsonArray nest(JsonArray flat, long[] shape, int depth, int[] next) {
    JsonArray out = new JsonArray(new ArrayList<>((int) shape[depth]));
    for (long i = 0; i < shape[depth]; i++) {
      out.add(depth == shape.length - 1 ? flat.getValue(next[0]++) : nest(flat, shape, depth + 1, next));
    }
    return out;
  }

  /** The tensor's data as a flat JSON array. */
  public static JsonArray toJson(Tensor t) {
    JsonArray a = new JsonArray(new ArrayList<>((int) Math.min(t.elementCount(), Integer.MAX_VALUE)));
    if (t.datatype() == DataType.BYTES) {
      for (byte[] e : BytesElements.decode(t.data())) {
        a.add(new String(e, StandardCharsets.UTF_8));
      }
      return a;
    }
    ByteBuffer b = t.buffer();
    while (b.hasRemaining()) {
      switch (t.datatype()) {
        case BOOL -> a.add(b.get() != 0);
        case UINT8 -> a.add(b.get() & 0xff);
        case INT8 -> a.add((int) b.get());
        case UINT16 -> a.add(b.getShort() & 0xffff);
        case INT16 -> a.add((int) b.getShort());
        case UINT32 -> a.add(b.getInt() & 0xffffffffL);
        case INT32 -> a.add(b.getInt());
        case INT64 -> a.add(b.getLong());
        case UINT64 -> {
          long l = b.getLong();
          a.add(l >= 0 ? (Object) l : new BigInteger(Long.toUnsignedString(l)));
        }
        case FP16 -> a.add(Half.toFloat(b.getShort()));
        case FP32 -> a.add(b.getFloat());
        case FP64 -> a.add(b.getDouble());
        default -> throw new IllegalStateException(t.datatype().toString());
      }
    }
    return a;
  }
}
