package io.maas.tensor;

import io.maas.error.MaasException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named tensor as it travels between gateway and worker: datatype, shape and the raw row-major
 * little-endian bytes. BYTES tensors hold each element as a 4-byte little-endian length and its bytes.
 * The constructor checks that the bytes match the shape, so a Tensor is always well formed.
 */
public record Tensor(String name, DataType datatype, long[] shape, byte[] data) {

  public Tensor {
    if (name == null || name.isEmpty()) {
      throw MaasException.invalid("a tensor has no name");
    }
    long count = elementCount(name, shape);
    if (datatype.isFixedSize()) {
      long expected = count * datatype.elementSize();
      if (data.length != expected) {
        throw MaasException.invalid(
            "tensor '%s': shape %s of %s needs %d bytes, got %d",
            name, Shapes.format(shape), datatype, expected, data.length);
      }
    } else {
      long found = BytesElements.count(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
      if (found != count) {
        throw MaasException.invalid(
            "tensor '%s': shape %s needs %d BYTES elements, got %s",
            name, Shapes.format(shape), count, found < 0 ? "malformed length prefixes" : found);
      }
    }
  }

  public long elementCount() {
    return elementCount(name, shape);
  }

  /** Little-endian view of the data, positioned at 0. */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The same tensor under another name. */
  public Tensor renamed(String newName) {
    return new Tensor(newName, datatype, shape, data);
  }

  /** The product of the dimensions, checked: no negative dimension, no overflow. */
  public static long elementCount(String name, long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw MaasException.invalid("tensor '%s': shape %s has a negative dimension", name, Shapes.format(shape));
      }
      try {
        count = Math.multiplyExact(count, d);
      } catch (ArithmeticException e) {
        throw MaasException.invalid("tensor '%s': shape %s is too large", name, Shapes.format(shape));
      }
    }
    return count;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && name.equals(t.name)
        && datatype == t.datatype
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + datatype.hashCode()) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Shapes.format(shape);
  }
}
