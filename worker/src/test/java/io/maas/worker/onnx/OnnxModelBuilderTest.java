package io.maas.worker.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import io.maas.worker.onnx.proto.OnnxProto.ModelProto;
import io.maas.worker.onnx.proto.OnnxProto.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks the builder's output with real ONNX Runtime sessions, for every {@link ElemType}.
 *
 * <p>ORT Java 1.26.0 findings pinned here: {@link OnnxJavaType} has no UINT16/UINT32/UINT64, so input
 * tensors of those types cannot be created (a signed tensor of the same width is rejected by
 * {@code run}); outputs of those types come back with the signed Java type and read fine as raw
 * little-endian bytes via {@link OnnxTensor#getByteBuffer()}. STRING is read via {@link OnnxTensor#getValue()}
 * ({@code getByteBuffer()} returns null).
 */
class OnnxModelBuilderTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final long[] SHAPE = {2, 3};

    @Test
    void buildIsDeterministicAndWritesHeader() throws Exception {
        byte[] a = OnnxModelBuilder.identity("m", ElemType.FLOAT, -1, 4, -1);
        assertArrayEquals(a, OnnxModelBuilder.identity("m", ElemType.FLOAT, -1, 4, -1));

        ModelProto model = ModelProto.parseFrom(a);
        assertEquals(OnnxModelBuilder.IR_VERSION, model.getIrVersion());
        assertEquals("maas", model.getProducerName());
        assertEquals(1, model.getOpsetImportCount());
        assertEquals("", model.getOpsetImport(0).getDomain());
        assertEquals(13, model.getOpsetImport(0).getVersion());
        List<TensorShapeProto.Dimension> dims =
                model.getGraph().getInput(0).getType().getTensorType().getShape().getDimList();
        assertEquals("batch", dims.get(0).getDimParam());
        assertEquals(4, dims.get(1).getDimValue());
        assertEquals("d2", dims.get(2).getDimParam());
        assertEquals("Identity_0", model.getGraph().getNode(0).getName());

        byte[] opset17 = OnnxModelBuilder.create("m").opset(17)
                .input("X", ElemType.FLOAT, 1).output("Y", ElemType.FLOAT, 1)
                .node("Identity", List.of("X"), List.of("Y")).build();
        assertEquals(17, ModelProto.parseFrom(opset17).getOpsetImport(0).getVersion());
    }

    @Test
    void rejectsBadArguments() {
        OnnxModelBuilder b = OnnxModelBuilder.create("m");
        assertThrows(IllegalArgumentException.class, () -> b.input("X", ElemType.FLOAT, -2));
        assertThrows(IllegalArgumentException.class,
                () -> b.initializer("W", ElemType.FLOAT, new long[] {2}, new byte[4]));
        assertThrows(IllegalArgumentException.class,
                () -> b.initializer("S", ElemType.STRING, new long[] {1}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> b.opset(0));
    }

    /** Every type: ORT loads the Identity model and reports the right type and [-1, 3] shape. */
    @ParameterizedTest
    @EnumSource(ElemType.class)
    void identityMetadata(ElemType type) throws OrtException {
        try (OrtSession session = session(OnnxModelBuilder.identity("id_" + type, type, -1, 3))) {
            for (NodeInfo node : List.of(session.getInputInfo().get("INPUT0"), session.getOutputInfo().get("OUTPUT0"))) {
                TensorInfo info = (TensorInfo) node.getInfo();
                assertEquals(onnxTensorType(type), info.onnxType, node.getName());
                assertEquals(javaType(type), info.type, node.getName());
                assertArrayEquals(new long[] {-1, 3}, info.getShape(), node.getName());
                assertEquals("batch", info.getDimensionNames()[0]);
            }
        }
    }

    /** Types ORT Java can create input tensors for: run Identity and get the same values back. */
    @ParameterizedTest
    @EnumSource(value = ElemType.class, mode = EnumSource.Mode.EXCLUDE, names = {"UINT16", "UINT32", "UINT64", "STRING"})
    void identityRoundTripsNumeric(ElemType type) throws OrtException {
        byte[] data = sampleBytes(type, 6);
        try (OrtSession session = session(OnnxModelBuilder.identity("id", type, -1, 3));
             OnnxTensor in = OnnxTensor.createTensor(ENV, direct(data), SHAPE, javaType(type));
             OrtSession.Result result = session.run(Map.of("INPUT0", in))) {
            OnnxTensor out = (OnnxTensor) result.get("OUTPUT0").orElseThrow();
            assertEquals(onnxTensorType(type), out.getInfo().onnxType);
            assertArrayEquals(SHAPE, out.getInfo().getShape());
            assertArrayEquals(data, bytes(out.getByteBuffer()));
        }
    }

    @Test
    void identityRoundTripsString() throws OrtException {
        String[] data = {"a", "", "héllo", "🙂", "x y", "last"};
        try (OrtSession session = session(OnnxModelBuilder.identity("id", ElemType.STRING, -1, 3));
             OnnxTensor in = OnnxTensor.createTensor(ENV, data, SHAPE);
             OrtSession.Result result = session.run(Map.of("INPUT0", in))) {
            OnnxTensor out = (OnnxTensor) result.get("OUTPUT0").orElseThrow();
            assertNull(out.getByteBuffer(), "STRING has no byte buffer view");
            String[][] value = (String[][]) out.getValue();
            assertArrayEquals(new String[][] {{"a", "", "héllo"}, {"🙂", "x y", "last"}}, value);
        }
    }

    @Test
    void float16AndBoolReadBack() throws OrtException {
        // FLOAT16 bits for 1.0, -2.0, 0.5, 65504 (max), 0, -0
        short[] halves = {0x3C00, (short) 0xC000, 0x3800, 0x7BFF, 0, (short) 0x8000};
        ByteBuffer hb = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        hb.asShortBuffer().put(halves);
        try (OrtSession session = session(OnnxModelBuilder.identity("h", ElemType.FLOAT16, -1, 3));
             OnnxTensor in = OnnxTensor.createTensor(ENV, hb, SHAPE, OnnxJavaType.FLOAT16);
             OrtSession.Result result = session.run(Map.of("INPUT0", in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            short[] bits = new short[6];
            out.getShortBuffer().get(bits);
            assertArrayEquals(halves, bits);
            // getValue() / getFloatBuffer() widen FLOAT16 to float
            assertArrayEquals(new float[][] {{1f, -2f, 0.5f}, {65504f, 0f, -0f}}, (float[][]) out.getValue());
        }
        ByteBuffer bb = direct(new byte[] {1, 0, 0, 1, 1, 0});
        try (OrtSession session = session(OnnxModelBuilder.identity("b", ElemType.BOOL, -1, 3));
             OnnxTensor in = OnnxTensor.createTensor(ENV, bb, SHAPE, OnnxJavaType.BOOL);
             OrtSession.Result result = session.run(Map.of("INPUT0", in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            assertArrayEquals(new byte[] {1, 0, 0, 1, 1, 0}, bytes(out.getByteBuffer()));
            assertArrayEquals(new boolean[][] {{true, false, false}, {true, true, false}}, (boolean[][]) out.getValue());
        }
    }

    /** UINT16/32/64 inputs cannot be fed from Java: the same-width signed tensor is rejected at run time. */
    @ParameterizedTest
    @EnumSource(value = ElemType.class, names = {"UINT16", "UINT32", "UINT64"})
    void wideUnsignedInputsCannotBeFed(ElemType type) throws OrtException {
        try (OrtSession session = session(OnnxModelBuilder.identity("u", type, -1, 3));
             OnnxTensor in = OnnxTensor.createTensor(ENV, direct(sampleBytes(type, 6)), SHAPE, javaType(type))) {
            OrtException e = assertThrows(OrtException.class, () -> session.run(Map.of("INPUT0", in)).close());
            assertEquals(OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT, e.getCode());
        }
    }

    /** ...but UINT16/32/64 outputs read back as raw little-endian bytes (produced here with Cast from INT64). */
    @ParameterizedTest
    @EnumSource(value = ElemType.class, names = {"UINT16", "UINT32", "UINT64"})
    void wideUnsignedOutputsReadAsBytes(ElemType type) throws OrtException {
        long[] values = {0, 1, 2, 255, 256, 0xFFFF};
        try (OrtSession session = session(OnnxModelBuilder.cast("c", ElemType.INT64, type, -1, 3));
             OnnxTensor in = OnnxTensor.createTensor(ENV, LongBuffer.wrap(values), SHAPE);
             OrtSession.Result result = session.run(Map.of("INPUT0", in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            assertEquals(onnxTensorType(type), out.getInfo().onnxType);
            assertEquals(javaType(type), out.getInfo().type);
            ByteBuffer expected = ByteBuffer.allocate(values.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) {
                switch (type.byteSize()) {
                    case 2 -> expected.putShort((short) v);
                    case 4 -> expected.putInt((int) v);
                    default -> expected.putLong(v);
                }
            }
            ByteBuffer actual = out.getByteBuffer();
            assertEquals(ByteOrder.LITTLE_ENDIAN, actual.order());
            assertArrayEquals(expected.array(), bytes(actual));
        }
    }

    @Test
    void initializerAndAttributes() throws OrtException {
        // Y = Gemm(X, W, alpha=2) with a FLOAT initializer W = [[1],[2]]
        byte[] model = OnnxModelBuilder.create("gemm")
                .input("X", ElemType.FLOAT, -1, 2)
                .output("Y", ElemType.FLOAT, -1, 1)
                .initializer("W", ElemType.FLOAT, new long[] {2, 1}, OnnxModelBuilder.littleEndian(1f, 2f))
                .node("Gemm", List.of("X", "W"), List.of("Y"), OnnxModelBuilder.floatAttr("alpha", 2f))
                .build();
        try (OrtSession session = session(model);
             OnnxTensor in = OnnxTensor.createTensor(ENV, new float[][] {{3f, 4f}});
             OrtSession.Result result = session.run(Map.of("X", in))) {
            assertArrayEquals(new float[][] {{22f}}, (float[][]) result.get(0).getValue());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static OrtSession session(byte[] model) throws OrtException {
        return ENV.createSession(model, new OrtSession.SessionOptions());
    }

    /** The Java type ORT reports for a tensor of this ONNX type (unsigned wide types map to signed). */
    static OnnxJavaType javaType(ElemType type) {
        return switch (type) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT16, UINT16 -> OnnxJavaType.INT16;
            case INT32, UINT32 -> OnnxJavaType.INT32;
            case INT64, UINT64 -> OnnxJavaType.INT64;
            case BOOL -> OnnxJavaType.BOOL;
            case STRING -> OnnxJavaType.STRING;
        };
    }

    static OnnxTensorType onnxTensorType(ElemType type) {
        return OnnxTensorType.valueOf("ONNX_TENSOR_ELEMENT_DATA_TYPE_" + type.name());
    }

    /** Deterministic element bytes: 0/1 for BOOL, 1, 2, 3, ... otherwise. */
    private static byte[] sampleBytes(ElemType type, int elements) {
        byte[] b = new byte[elements * type.byteSize()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (type == ElemType.BOOL ? i % 2 : i + 1);
        }
        return b;
    }

    private static ByteBuffer direct(byte[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
        b.put(data).flip();
        return b;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
