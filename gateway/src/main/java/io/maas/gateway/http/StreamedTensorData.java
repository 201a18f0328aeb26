package io.maas.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.maas.error.MaasException;
import io.maas.tensor.DataType;
import io.maas.tensor.Half;
import io.maas.tensor.Shapes;
import io.maas.tensor.Tensor;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * One input's KServe V2 JSON {@code data}, read token by token from the parser straight into the
 * tensor's little-endian bytes: no boxed value, no intermediate list. Data may be flat or nested
 * (row-major); every value is checked against its datatype's range, with the same messages as
 * {@link JsonTensors}: a number past a float type's range (1e39 for FP32, 1e400 for any) is refused, not
 * stored as infinity, since JSON cannot say infinity or NaN.
 */
final class StreamedTensorData {
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final String name;
  private final DataType type;
  private final long[] shape;
  private final long count;
  private final TensorBytes out;

  private StreamedTensorData(String name, DataType type, long[] shape, long count, long maxValuesInBody) {
    this.name = name;
    this.type = type;
    this.shape = shape;
    this.count = count;
    // sized exactly when the body can hold that many values (each takes a digit and a comma at least),
    // so a small body claiming a huge shape cannot make the gateway allocate for it
    long expected = Math.min(count, maxValuesInBody);
    long capacity = type.isFixedSize() ? expected * type.elementSize() : Math.min(expected * 8, 1 << 16);
    this.out = new TensorBytes((int) Math.min(capacity, TensorBytes.MAX_BYTES));
  }

  /**
   * Reads the data value the parser stands on (its current token) and leaves the parser on its last
   * token.
   *
   * @param jsonLength the length of the JSON text the data is part of, which bounds how many values it
   *     can hold
   */
  static Tensor read(JsonParser p, String name, DataType type, long[] shape, long maxElements, int jsonLength)
      throws IOException {
    long count = Tensor.elementCount(name, shape);
    if (count > maxElements) {
      throw MaasException.invalid("input '%s': %d elements is over the limit of %d", name, count, maxElements);
    }
    if (type.isFixedSize() && count * type.elementSize() > TensorBytes.MAX_BYTES) {
      throw MaasException.invalid("input '%s': %d elements of %s is over the limit of %d bytes",
          name, count, type, TensorBytes.MAX_BYTES);
    }
    return new StreamedTensorData(name, type, shape, count, jsonLength / 2L + 1).read(p);
  }

  /**
   * Reads flat values ({@code [1, 2, 3, 4]}) or values nested as the shape is ({@code [[1, 2], [3, 4]]} for
   * [2, 2]); anything else (values at different depths, an array of the wrong length) is ragged.
   */
  private Tensor read(JsonParser p) throws IOException {
    long index = 0;
    int depth = 0;
    int maxDepth = Math.max(1, shape.length);
    long[] elements = new long[maxDepth + 1]; // of the array open at each depth
    int leafDepth = -1;
    JsonToken t = p.currentToken();
    while (true) {
      if (t == JsonToken.START_ARRAY) {
        if (depth == maxDepth) {
          throw ragged("is nested deeper than its shape %s", Shapes.format(shape));
        }
        elements[depth]++;
        elements[++depth] = 0;
      } else if (t == JsonToken.END_ARRAY) {
        if (leafDepth > 1 && elements[depth] != shape[depth - 1]) {
          throw ragged("has an array of %d values at depth %d where its shape %s has %d",
              elements[depth], depth, Shapes.format(shape), shape[depth - 1]);
        }
        depth--;
      } else {
        if (leafDepth < 0) {
          leafDepth = depth;
          if (depth > 1 && depth != shape.length) {
            throw ragged("is nested %d deep: its shape %s wants flat values or %d levels",
                depth, Shapes.format(shape), shape.length);
          }
        } else if (depth != leafDepth) {
          throw ragged("has value %d at depth %d where the first was at depth %d", index, depth, leafDepth);
        }
        if (index >= count) {
          throw MaasException.invalid("input '%s': more values than its shape holds (%d)", name, count);
        }
        elements[depth]++;
        put(p, t, index++);
      }
      if (depth == 0) {
        break;
      }
      t = p.nextToken();
    }
    if (index != count) {
      throw MaasException.invalid("input '%s': shape %s needs %d values, got %d",
          name, Shapes.format(shape), count, index);
    }
    return new Tensor(name, type, shape, out.toArray());
  }

  private MaasException ragged(String format, Object... args) {
    return MaasException.invalid("input '%s': ragged data: its data " + format, prepend(name, args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private void put(JsonParser p, JsonToken t, long index) throws IOException {
    switch (type) {
      case BOOL -> {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw bad(t, index);
        }
        out.put((byte) (t == JsonToken.VALUE_TRUE ? 1 : 0));
      }
      case BYTES -> {
        if (t != JsonToken.VALUE_STRING) {
          throw bad(t, index);
        }
        out.putElement(p.getText().getBytes(StandardCharsets.UTF_8));
      }
      case FP16 -> {
        double d = real(p, t, index);
        short half = Half.fromFloat((float) d);
        if (Float.isInfinite(Half.toFloat(half))) { // over 65504, or a number past every range (1e400)
          throw range(p, index);
        }
        out.putShort(half);
      }
      case FP32 -> {
        double d = real(p, t, index);
        float f = (float) d; // rounds to nearest: 3.4028235E38 is FLT_MAX, 1e39 overflows
        if (Float.isInfinite(f)) { // JSON has no infinity: 1e400 is a number past every range
          throw range(p, index);
        }
        out.putInt(Float.floatToRawIntBits(f));
      }
      case FP64 -> {
        double d = real(p, t, index);
        if (Double.isInfinite(d)) { // 1e400: JSON has no infinity, the number is past FP64's range
          throw range(p, index);
        }
        out.putLong(Double.doubleToRawLongBits(d));
      }
      default -> putInteger(p, t, index);
    }
  }

  private void putInteger(JsonParser p, JsonToken t, long index) throws IOException {
    long l;
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      l = p.getLongValue(); // the common case: no BigInteger
      if (type == DataType.UINT64 ? l < 0 : l < type.minInteger() || l > type.maxInteger()) {
        throw range(p, index);
      }
    } else {
      BigInteger b = integer(p, t, index);
      if (type == DataType.UINT64 ? b.signum() < 0 || b.compareTo(UINT64_MAX) > 0
          : b.bitLength() > 63 || b.longValue() < type.minInteger() || b.longValue() > type.maxInteger()) {
        throw range(p, index);
      }
      l = b.longValue();
    }
    switch (type.elementSize()) {
      case 1 -> out.put((byte) l);
      case 2 -> out.putShort((short) l);
      case 4 -> out.putInt((int) l);
      default -> out.putLong(l);
    }
  }

  private double real(JsonParser p, JsonToken t, long index) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getDoubleValue();
    }
    throw bad(t, index);
  }

  /** An integer token as it is; a float token only if it is integral (3.0 is 3), as a double reads it. */
  private BigInteger integer(JsonParser p, JsonToken t, long index) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return p.getBigIntegerValue();
    }
    if (t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw bad(t, index);
    }
    double d = p.getDoubleValue();
    try {
      return new BigDecimal(Double.toString(d)).toBigIntegerExact();
    } catch (ArithmeticException | NumberFormatException e) { // a fraction, or not finite (1e400)
      throw MaasException.invalid("input '%s': value %s at index %d is not an integer, as %s needs",
          name, d, index, type);
    }
  }

  private MaasException bad(JsonToken t, long index) {
    String what = switch (t) {
      case VALUE_NULL -> "null";
      case VALUE_STRING -> "a string";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      default -> "an object";
    };
    return MaasException.invalid("input '%s': value at index %d is %s, not a valid %s value", name, index, what, type);
  }

  /** The value as a JSON tree would print it (Jackson's getNumberValue() fails once a big integer was read as a double). */
  private MaasException range(JsonParser p, long index) throws IOException {
    String value = p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getText() : Double.toString(p.getDoubleValue());
    return MaasException.invalid("input '%s': value %s at index %d is out of range for %s", name, value, index, type);
  }
}
