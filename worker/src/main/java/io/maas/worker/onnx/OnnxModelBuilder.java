package io.maas.worker.onnx;

import com.google.protobuf.ByteString;
import io.maas.worker.onnx.proto.OnnxProto.AttributeProto;
import io.maas.worker.onnx.proto.OnnxProto.GraphProto;
import io.maas.worker.onnx.proto.OnnxProto.ModelProto;
import io.maas.worker.onnx.proto.OnnxProto.NodeProto;
import io.maas.worker.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.maas.worker.onnx.proto.OnnxProto.TensorProto;
import io.maas.worker.onnx.proto.OnnxProto.TensorShapeProto;
import io.maas.worker.onnx.proto.OnnxProto.TypeProto;
import io.maas.worker.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Fluent writer of small ONNX models (single graph, default {@code ai.onnx} domain).
 *
 * <pre>{@code
 * byte[] model = OnnxModelBuilder.create("simple")
 *     .input("INPUT0", ElemType.INT32, -1, 16)
 *     .input("INPUT1", ElemType.INT32, -1, 16)
 *     .output("OUTPUT0", ElemType.INT32, -1, 16)
 *     .node("Add", List.of("INPUT0", "INPUT1"), List.of("OUTPUT0"))
 *     .build();
 * }</pre>
 *
 * <p>A dimension of {@code -1} is written as a symbolic dimension: {@code "batch"} for dimension 0,
 * {@code "d<i>"} for dimension {@code i > 0}; other dimensions are fixed sizes. The model has IR version
 * {@value #IR_VERSION}, opset {@value #DEFAULT_OPSET} unless {@link #opset(long)} says otherwise, and producer
 * name {@value #PRODUCER_NAME}. Nodes without an explicit name are named {@code <op_type>_<index>}.
 * {@link #build()} is deterministic: the same calls give the same bytes.
 *
 * <p>A builder is not thread-safe; use one per model.
 */
public final class OnnxModelBuilder {

    /** ONNX IR version written into every model (ONNX 1.10+, supported by all current ONNX Runtime releases). */
    public static final long IR_VERSION = 8;
    /** Default {@code ai.onnx} opset version. */
    public static final long DEFAULT_OPSET = 13;
    /** The {@code producer_name} written into every model. */
    public static final String PRODUCER_NAME = "maas";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private long opset = DEFAULT_OPSET;
    private String docString;

    private OnnxModelBuilder(String graphName) {
        graph.setName(Objects.requireNonNull(graphName, "graphName"));
    }

    /** Starts a model whose graph has the given name. */
    public static OnnxModelBuilder create(String graphName) {
        return new OnnxModelBuilder(graphName);
    }

    /** Sets the {@code ai.onnx} opset version (default {@value #DEFAULT_OPSET}). */
    public OnnxModelBuilder opset(long version) {
        if (version < 1) {
            throw new IllegalArgumentException("opset must be >= 1: " + version);
        }
        this.opset = version;
        return this;
    }

    /** Sets the model's {@code doc_string}. */
    public OnnxModelBuilder docString(String doc) {
        this.docString = doc;
        return this;
    }

    /** Adds a graph input; a dim of -1 is symbolic (see class doc). */
    public OnnxModelBuilder input(String name, ElemType type, long... dims) {
        graph.addInput(valueInfo(name, type, dims));
        return this;
    }

    /** Adds a graph output; a dim of -1 is symbolic (see class doc). */
    public OnnxModelBuilder output(String name, ElemType type, long... dims) {
        graph.addOutput(valueInfo(name, type, dims));
        return this;
    }

    /** Adds a node named {@code <opType>_<index>}, with optional attributes (see the {@code *Attr} factories). */
    public OnnxModelBuilder node(String opType, List<String> inputs, List<String> outputs,
                                 AttributeProto... attributes) {
        return namedNode(opType + "_" + graph.getNodeCount(), opType, inputs, outputs, attributes);
    }

    /** Adds a node with an explicit name. Nodes must be added in topological order. */
    public OnnxModelBuilder namedNode(String name, String opType, List<String> inputs, List<String> outputs,
                                      AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder()
                .setName(name)
                .setOpType(Objects.requireNonNull(opType, "opType"))
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)));
        return this;
    }

    /**
     * Adds a constant tensor (initializer) from raw element bytes: fixed-width, little-endian, row-major;
     * BOOL is one byte (0/1) per element, FLOAT16 its 16 bits. Not for {@link ElemType#STRING}.
     */
    public OnnxModelBuilder initializer(String name, ElemType type, long[] dims, byte[] rawLittleEndian) {
        graph.addInitializer(tensor(name, type, dims, rawLittleEndian));
        return this;
    }

    /** Adds a FLOAT constant tensor with the given row-major values. */
    public OnnxModelBuilder initializer(String name, long[] dims, float... values) {
        return initializer(name, ElemType.FLOAT, dims, littleEndian(values));
    }

    /** Adds a STRING constant tensor with the given row-major values (UTF-8). */
    public OnnxModelBuilder initializer(String name, long[] dims, String... values) {
        checkCount(dims, values.length);
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(ElemType.STRING.onnxValue());
        for (long d : dims) {
            t.addDims(d);
        }
        for (String v : values) {
            t.addStringData(ByteString.copyFromUtf8(v));
        }
        graph.addInitializer(t);
        return this;
    }

    /** Serializes the model to ONNX protobuf bytes. */
    public byte[] build() {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setProducerName(PRODUCER_NAME)
                .setGraph(graph.clone());
        if (docString != null) {
            model.setDocString(docString);
        }
        return model.build().toByteArray();
    }

    // ---- convenience models -------------------------------------------------------------------

    /**
     * A one-node {@code Identity} model with input {@code INPUT0} and output {@code OUTPUT0}, both of the given
     * type and shape (a dim of -1 is symbolic).
     */
    public static byte[] identity(String name, ElemType type, long... dims) {
        return create(name)
                .input("INPUT0", type, dims)
                .output("OUTPUT0", type, dims)
                .node("Identity", List.of("INPUT0"), List.of("OUTPUT0"))
                .build();
    }

    /**
     * A one-node {@code Cast} model: input {@code INPUT0} of type {@code from}, output {@code OUTPUT0} of type
     * {@code to}, same shape. Useful to produce outputs of types a client cannot feed as inputs.
     */
    public static byte[] cast(String name, ElemType from, ElemType to, long... dims) {
        return create(name)
                .input("INPUT0", from, dims)
                .output("OUTPUT0", to, dims)
                .node("Cast", List.of("INPUT0"), List.of("OUTPUT0"), intAttr("to", to.onnxValue()))
                .build();
    }

    // ---- attribute factories ------------------------------------------------------------------

    /** An INT attribute. */
    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    /** A FLOAT attribute. */
    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }

    /** A STRING attribute (UTF-8). */
    public static AttributeProto stringAttr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    /** An INTS attribute. */
    public static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** A FLOATS attribute. */
    public static AttributeProto floatsAttr(String name, float... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            a.addFloats(v);
        }
        return a.build();
    }

    /** A TENSOR attribute holding raw little-endian element bytes (e.g. for {@code Constant}'s "value"). */
    public static AttributeProto tensorAttr(String name, ElemType type, long[] dims, byte[] rawLittleEndian) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
                .setT(tensor("", type, dims, rawLittleEndian)).build();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The little-endian IEEE 754 bytes of the given floats. */
    public static byte[] littleEndian(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    private static TensorProto tensor(String name, ElemType type, long[] dims, byte[] raw) {
        if (type == ElemType.STRING) {
            throw new IllegalArgumentException("STRING tensors cannot use raw bytes; use initializer(name, dims, String...)");
        }
        long count = checkCount(dims, -1);
        if (raw.length != count * type.byteSize()) {
            throw new IllegalArgumentException("tensor " + name + ": " + raw.length + " bytes for " + count
                    + " elements of " + type);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setDataType(type.onnxValue());
        if (!name.isEmpty()) {
            t.setName(name);
        }
        for (long d : dims) {
            t.addDims(d);
        }
        return t.setRawData(ByteString.copyFrom(raw)).build();
    }

    /** Element count of fixed dims; checks it equals {@code expected} unless that is negative. */
    private static long checkCount(long[] dims, long expected) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("constant tensor dims must be fixed: " + java.util.Arrays.toString(dims));
            }
            count = Math.multiplyExact(count, d);
        }
        if (expected >= 0 && count != expected) {
            throw new IllegalArgumentException(expected + " values for dims " + java.util.Arrays.toString(dims));
        }
        return count;
    }

    private static ValueInfoProto valueInfo(String name, ElemType type, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            long d = dims[i];
            if (d == -1) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(i == 0 ? "batch" : "d" + i));
            } else if (d >= 0) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            } else {
                throw new IllegalArgumentException(name + ": invalid dim " + d);
            }
        }
        return ValueInfoProto.newBuilder()
                .setName(Objects.requireNonNull(name, "name"))
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(type.onnxValue()).setShape(shape)))
                .build();
    }
}
