package io.maas.worker.onnx;

/**
 * ONNX tensor element types, with the numeric values of ONNX {@code TensorProto.DataType}.
 */
public enum ElemType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    UINT16(4, 2),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    /** Variable-length UTF-8 strings; has no fixed element size. */
    STRING(8, -1),
    /** One byte per element, 0 or 1. */
    BOOL(9, 1),
    /** IEEE 754 half precision, stored as its 16 bits. */
    FLOAT16(10, 2),
    DOUBLE(11, 8),
    UINT32(12, 4),
    UINT64(13, 8);

    private final int onnxValue;
    private final int byteSize;

    ElemType(int onnxValue, int byteSize) {
        this.onnxValue = onnxValue;
        this.byteSize = byteSize;
    }

    /** The ONNX {@code TensorProto.DataType} number of this type. */
    public int onnxValue() {
        return onnxValue;
    }

    /** Bytes per element in raw (little-endian) form, or -1 for {@link #STRING}. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * The element type with the given ONNX {@code TensorProto.DataType} number.
     *
     * @throws IllegalArgumentException if the number is not one of this enum's types
     */
    public static ElemType fromOnnxValue(int onnxValue) {
        for (ElemType t : values()) {
            if (t.onnxValue == onnxValue) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported ONNX data type " + onnxValue);
    }
}
