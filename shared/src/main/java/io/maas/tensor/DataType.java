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
