package io.maas.gateway.http;

import io.maas.error.MaasException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable little-endian byte array that tensor values are written into as they are parsed: sized
 * exactly when the element count is known, so the array becomes the tensor's data without a copy.
 */
final class TensorBytes {
  /** The largest array a tensor's data may take (a little under the JVM's array limit). */
  static final int MAX_BYTES = Integer.MAX_VALUE - 16;

  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] bytes;
  private int size;

  TensorBytes(int capacity) {
    bytes = new byte[Math.max(capacity, 0)];
  }

  void put(byte v) {
    ensure(1);
    bytes[size++] = v;
  }

  void putShort(short v) {
    ensure(2);
    SHORT.set(bytes, size, v);
    size += 2;
  }

  void putInt(int v) {
    ensure(4);
    INT.set(bytes, size, v);
    size += 4;
  }

  void putLong(long v) {
    ensure(8);
    LONG.set(bytes, size, v);
    size += 8;
  }

  /** A BYTES element: its 4-byte little-endian length, then the bytes. */
  void putElement(byte[] element) {
    ensure(4L + element.length);
    INT.set(bytes, size, element.length);
    System.arraycopy(element, 0, bytes, size + 4, element.length);
    size += 4 + element.length;
  }

  /** The bytes written: the array itself when it was sized exactly. */
  byte[] toArray() {
    return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
  }

  private void ensure(long more) {
    if (size + more <= bytes.length) {
      return;
    }
    long needed = size + more;
    if (needed > MAX_BYTES) {
      throw MaasException.invalid("a tensor's data is over the limit of %d bytes", MAX_BYTES);
    }
    bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_BYTES, Math.max(needed, 2L * bytes.length + 16)));
  }
}
