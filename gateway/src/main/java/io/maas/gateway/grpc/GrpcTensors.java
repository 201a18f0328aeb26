package io.maas.gateway.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.maas.error.MaasException;
import io.maas.gateway.grpc.v2.InferTensorContents;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Shapes;
import io.maas.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * KServe V2 gRPC tensor data to and from maas tensors: typed {@link InferTensorContents} (one repeated
 * field per group of datatypes, every value range-checked) or raw bytes, which already are the maas
 * layout (row-major little-endian; BYTES elements as a 4-byte little-endian length and the bytes).
 */
final class GrpcTensors {
  private GrpcTensors() {}

  /** The typed field each datatype's values travel in; FP16 has none and must travel raw. */
  static String contentsField(DataType type) {
    return switch (type) {
      case BOOL -> "bool_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BYTES -> "bytes_contents";
      case FP16 -> "";
    };
  }

  /** Whether the datatype has a typed representation (all but FP16). */
  static boolean hasTypedContents(DataType type) {
    return !contentsField(type).isEmpty();
  }

  /** The number of values the contents hold, over all fields. */
  static long valueCount(InferTensorContents c) {
    return (long) c.getBoolContentsCount() + c.getIntContentsCount() + c.getInt64ContentsCount()
        + c.getUintContentsCount() + c.getUint64ContentsCount() + c.getFp32ContentsCount()
        + c.getFp64ContentsCount() + c.getBytesContentsCount();
  }

  /** The element count of a shape, checked against the per-tensor limit. */
  static long elementCount(String name, long[] shape, long maxElements) {
    long count = Tensor.elementCount(name, shape);
    if (count > maxElements) {
      throw MaasException.invalid("input '%s': %d elements is over the limit of %d", name, count, maxElements);
    }
    return count;
  }

  /** A tensor from raw_input_contents: the byte length (or the BYTES length prefixes) must fit the shape. */
  static Tensor fromRaw(String name, DataType type, long[] shape, ByteString raw, long maxElements) {
    long count = elementCount(name, shape, maxElements);
    if (type.isFixedSize()) {
      long expected = count * type.elementSize();
      if (raw.size() != expected) {
        throw MaasException.invalid("input '%s': raw_input_contents holds %d bytes; shape %s of %s needs %d",
            name, raw.size(), Shapes.format(shape), type, expected);
      }
    } else {
      long found = BytesElements.count(raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
      if (found < 0) {
        throw MaasException.invalid("input '%s': raw BYTES contents are malformed: each element must be a "
            + "4-byte little-endian length followed by that many bytes", name);
      }
      if (found != count) {
        throw MaasException.invalid("input '%s': raw_input_contents holds %d BYTES elements; shape %s needs %d",
            name, found, Shapes.format(shape), count);
      }
    }
    return new Tensor(name, type, shape, raw.toByteArray());
  }

  /** A tensor from typed contents: only the datatype's own field may hold values, as many as the shape. */
  static Tensor fromContents(String name, DataType type, long[] shape, InferTensorContents c, long maxElements) {
    long count = elementCount(name, shape, maxElements);
    String field = contentsField(type);
    List<String> others = fieldsWithValues(c);
    others.remove(field);
    if (!others.isEmpty()) {
      throw MaasException.invalid("input '%s' of datatype %s carries %s; %s", name, type, String.join(", ", others),
          field.isEmpty() ? "FP16 data must be sent in raw_input_contents" : type + " values go in " + field);
    }
    long given = valueCount(c);
    if (field.isEmpty() && count > 0) {
      throw MaasException.invalid(
          "input '%s': FP16 data must be sent in raw_input_contents (InferTensorContents has no FP16 field)", name);
    }
    if (given != count) {
      throw MaasException.invalid("input '%s': shape %s needs %d values, got %d in %s",
          name, Shapes.format(shape), count, given, field.isEmpty() ? "contents" : field);
    }
    if (type == DataType.BYTES) {
      int size = 0;
      for (ByteString s : c.getBytesContentsList()) {
        size = Math.addExact(size, 4 + s.size());
      }
      ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
      for (ByteString s : c.getBytesContentsList()) {
        out.putInt(s.size());
        s.copyTo(out);
      }
      return new Tensor(name, type, shape, out.array());
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * type.elementSize())).order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) count;
    switch (type) {
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          out.put((byte) (c.getBoolContents(i) ? 1 : 0));
        }
      }
      case INT8, INT16, INT32 -> {
        long min = type == DataType.INT8 ? Byte.MIN_VALUE : type == DataType.INT16 ? Short.MIN_VALUE : Integer.MIN_VALUE;
        long max = type == DataType.INT8 ? Byte.MAX_VALUE : type == DataType.INT16 ? Short.MAX_VALUE : Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
          int v = c.getIntContents(i);
          checkRange(name, type, i, v, min, max);
          putInt(out, type.elementSize(), v);
        }
      }
      case UINT8, UINT16, UINT32 -> {
        long max = type == DataType.UINT8 ? 0xffL : type == DataType.UINT16 ? 0xffffL : 0xffffffffL;
        for (int i = 0; i < n; i++) {
          long v = Integer.toUnsignedLong(c.getUintContents(i));
          checkRange(name, type, i, v, 0, max);
          putInt(out, type.elementSize(), (int) v);
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          out.putLong(c.getInt64Contents(i));
        }
      }
      case UINT64 -> {
        for (int i = 0; i < n; i++) {
          out.putLong(c.getUint64Contents(i));
        }
      }
      case FP32 -> {
        for (int i = 0; i < n; i++) {
          out.putFloat(c.getFp32Contents(i));
        }
      }
      case FP64 -> {
        for (int i = 0; i < n; i++) {
          out.putDouble(c.getFp64Contents(i));
        }
      }
      default -> throw new IllegalStateException("no typed contents for " + type);
    }
    return new Tensor(name, type, shape, out.array());
  }

  private static void checkRange(String name, DataType type, int index, long v, long min, long max) {
    if (v < min || v > max) {
      throw MaasException.invalid("input '%s': value %d at index %d is out of range for %s", name, v, index, type);
    }
  }

  private static void putInt(ByteBuffer out, int size, int v) {
    switch (size) {
      case 1 -> out.put((byte) v);
      case 2 -> out.putShort((short) v);
      default -> out.putInt(v);
    }
  }

  /** The names of the contents fields that hold at least one value. */
  static List<String> fieldsWithValues(InferTensorContents c) {
    List<String> fields = new ArrayList<>(2);
    if (c.getBoolContentsCount() > 0) {
      fields.add("bool_contents");
    }
    if (c.getIntContentsCount() > 0) {
      fields.add("int_contents");
    }
    if (c.getInt64ContentsCount() > 0) {
      fields.add("int64_contents");
    }
    if (c.getUintContentsCount() > 0) {
      fields.add("uint_contents");
    }
    if (c.getUint64ContentsCount() > 0) {
      fields.add("uint64_contents");
    }
    if (c.getFp32ContentsCount() > 0) {
      fields.add("fp32_contents");
    }
    if (c.getFp64ContentsCount() > 0) {
      fields.add("fp64_contents");
    }
    if (c.getBytesContentsCount() > 0) {
      fields.add("bytes_contents");
    }
    return fields;
  }

  /** The raw form of an output: its bytes as they are (no copy; a Tensor's data is never modified). */
  static ByteString toRaw(Tensor t) {
    return UnsafeByteOperations.unsafeWrap(t.data());
  }

  /** The typed form of an output; only for datatypes that have one (see {@link #hasTypedContents}). */
  static InferTensorContents toContents(Tensor t) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    ByteBuffer b = t.buffer();
    switch (t.datatype()) {
      case BOOL -> {
        while (b.hasRemaining()) {
          c.addBoolContents(b.get() != 0);
        }
      }
      case INT8 -> {
        while (b.hasRemaining()) {
          c.addIntContents(b.get());
        }
      }
      case INT16 -> {
        while (b.hasRemaining()) {
          c.addIntContents(b.getShort());
        }
      }
      case INT32 -> {
        while (b.hasRemaining()) {
          c.addIntContents(b.getInt());
        }
      }
      case UINT8 -> {
        while (b.hasRemaining()) {
          c.addUintContents(b.get() & 0xff);
        }
      }
      case UINT16 -> {
        while (b.hasRemaining()) {
          c.addUintContents(b.getShort() & 0xffff);
        }
      }
      case UINT32 -> {
        while (b.hasRemaining()) {
          c.addUintContents(b.getInt());
        }
      }
      case INT64 -> {
        while (b.hasRemaining()) {
          c.addInt64Contents(b.getLong());
        }
      }
      case UINT64 -> {
        while (b.hasRemaining()) {
          c.addUint64Contents(b.getLong());
        }
      }
      case FP32 -> {
        while (b.hasRemaining()) {
          c.addFp32Contents(b.getFloat());
        }
      }
      case FP64 -> {
        while (b.hasRemaining()) {
          c.addFp64Contents(b.getDouble());
        }
      }
      case BYTES -> {
        while (b.hasRemaining()) {
          int len = b.getInt();
          c.addBytesContents(ByteString.copyFrom(b, len));
        }
      }
      default -> throw new IllegalStateException("no typed contents for " + t.datatype());
    }
    return c.build();
  }
}
