package io.maas.worker.instance;

import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A warmup sample's {@code random_data}: floats in [0, 1), integers in [0, 127] (valid in every integer type,
 * and as token ids), booleans either way, strings of 8 ASCII letters.
 */
final class RandomValues {
  private RandomValues() {}

  /** {@code n} random elements of this datatype, in the tensor wire layout (little-endian; BYTES length-prefixed). */
  static byte[] of(DataType type, int n, Random random) {
    if (type == DataType.BYTES) {
      List<byte[]> strings = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        StringBuilder s = new StringBuilder(8);
        for (int c = 0; c < 8; c++) {
          s.append((char) ('a' + random.nextInt(26)));
        }
        strings.add(s.toString().getBytes(StandardCharsets.US_ASCII));
      }
      return BytesElements.encode(strings);
    }
    ByteBuffer b = ByteBuffer.allocate(n * type.elementSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (type) {
        case FP32 -> b.putFloat(random.nextFloat());
        case FP64 -> b.putDouble(random.nextDouble());
        case FP16 -> b.putShort(half(random.nextFloat()));
        case BOOL -> b.put((byte) (random.nextBoolean() ? 1 : 0));
        default -> putInteger(b, type.elementSize(), random.nextInt(128));
      }
    }
    return b.array();
  }

  private static void putInteger(ByteBuffer b, int size, int value) {
    switch (size) {
      case 1 -> b.put((byte) value);
      case 2 -> b.putShort((short) value);
      case 4 -> b.putInt(value);
      default -> b.putLong(value);
    }
  }

  /** IEEE half precision of a float in [0, 1), truncated; values below half's normal range become 0. */
  static short half(float f) {
    int bits = Float.floatToIntBits(f);
    int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    if (exponent <= 0) {
      return 0;
    }
    return (short) ((exponent << 10) | ((bits >>> 13) & 0x3ff));
  }
}
