package io.maas.tensor;

import io.maas.error.MaasException;

/**
 * KServe V2 tensor datatypes. Fixed-size types have an element size in bytes; {@link #BYTES} elements
 * are variable-length and travel as a 4-byte little-endian length followed by the bytes (the KServe
 * binary tensor layout).
 */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  BYTES(-1);

  private static final DataType[] VALUES = values();

  private final int elementSize;

  DataType(int elementSize) {
    this.elementSize = elementSize;
  }

  /** Bytes per element, or -1 for the variable-length {@link #BYTES}. */
  public int elementSize() {
    return elementSize;
  }

  public boolean isFixedSize() {
    return elementSize > 0;
  }

  public boolean isFloatingPoint() {
    return this == FP16 || this == FP32 || this == FP64;
  }

  public boolean isUnsigned() {
    return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
  }

  /** The smallest value of an integer type up to 63 bits wide (0 for the others). */
  public long minInteger() {
    return switch (this) {
      case INT8 -> Byte.MIN_VALUE;
      case INT16 -> Short.MIN_VALUE;
      case INT32 -> Integer.MIN_VALUE;
      case INT64 -> Long.MIN_VALUE;
      default -> 0;
    };
  }

  /** The largest value of an integer type up to 63 bits wide (UINT64's does not fit a long; 0 for non-integers). */
  public long maxInteger() {
    return switch (this) {
      case INT8 -> Byte.MAX_VALUE;
      case INT16 -> Short.MAX_VALUE;
      case INT32 -> Integer.MAX_VALUE;
      case INT64 -> Long.MAX_VALUE;
      case UINT8 -> 0xffL;
      case UINT16 -> 0xffffL;
      case UINT32 -> 0xffffffffL;
      default -> 0;
    };
  }

  /** Parses the KServe name (e.g. {@code "FP32"}); Triton's {@code TYPE_FP32} and {@code STRING} too. */
  public static DataType parse(String name) {
    if (name == null) {
      throw MaasException.invalid("datatype is missing");
    }
    String n = name.startsWith("TYPE_") ? name.substring(5) : name;
    if (n.equals("STRING")) {
      return BYTES;
    }
    for (DataType t : VALUES) {
      if (t.name().equals(n)) {
        return t;
      }
    }
    throw MaasException.invalid("unsupported datatype '%s'", name);
  }

  static DataType ofOrdinal(int ordinal) {
    return VALUES[ordinal];
  }
}
