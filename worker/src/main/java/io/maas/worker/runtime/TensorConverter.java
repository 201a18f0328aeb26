package io.maas.worker.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.maas.error.MaasException;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between maas tensors (raw little-endian bytes) and ONNX Runtime tensors. Numeric data is
 * copied once into a direct buffer that ORT reads in place; nothing is boxed.
 */
public final class TensorConverter {
  private final OrtEnvironment env;

  public TensorConverter(OrtEnvironment env) {
    this.env = env;
  }

  /** An ORT tensor holding the given tensor's data; the caller closes it. */
  public OnnxTensor toOrt(Tensor t) throws OrtException {
    OnnxJavaType javaType = OrtTypes.inputJavaType(t.datatype())
        .orElseThrow(() -> MaasException.invalid(
            "input '%s': ONNX Runtime's Java API cannot create %s tensors", t.name(), t.datatype()));
    if (javaType == OnnxJavaType.STRING) {
      List<byte[]> elements = BytesElements.decode(t.data());
      String[] strings = new String[elements.size()];
      for (int i = 0; i < strings.length; i++) {
        strings[i] = new String(elements.get(i), StandardCharsets.UTF_8);
      }
      return OnnxTensor.createTensor(env, strings, t.shape());
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(t.data().length).order(ByteOrder.nativeOrder());
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      direct.put(t.data()).flip();
    } else {
      direct.put(swapToNative(t)).flip();
    }
    return OnnxTensor.createTensor(env, direct, t.shape(), javaType);
  }

  /** A maas tensor with a copy of an ORT output's data (one copy: native memory to the tensor's array). */
  public Tensor fromOrt(String name, OnnxTensor value) throws OrtException {
    TensorInfo info = value.getInfo();
    DataType type = OrtTypes.dataType(info.onnxType)
        .orElseThrow(() -> new MaasException(io.maas.error.ErrorCode.INTERNAL,
            "output '" + name + "' has element type " + info.onnxType + ", which KServe cannot carry"));
    long[] shape = info.getShape();
    if (type == DataType.BYTES) {
      List<String> strings = new ArrayList<>();
      flatten(value.getValue(), strings);
      return new Tensor(name, type, shape, BytesElements.encodeStrings(strings));
    }
    // getByteBuffer() already copies the native output into a fresh heap buffer: take its array as is
    ByteBuffer buffer = value.getByteBuffer();
    if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
        && buffer.array().length == buffer.remaining()) {
      return new Tensor(name, type, shape, buffer.array());
    }
    byte[] data = new byte[buffer.remaining()];
    buffer.get(data);
    return new Tensor(name, type, shape, data);
  }

  private static void flatten(Object value, List<String> out) {
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof Object[] array) {
      for (Object o : array) {
        flatten(o, out);
      }
    } else {
      throw new IllegalStateException("unexpected string tensor element " + value);
    }
  }

  private static byte[] swapToNative(Tensor t) {
    int size = t.datatype().elementSize();
    byte[] in = t.data();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i += size) {
      for (int b = 0; b < size; b++) {
        out[i + b] = in[i + size - 1 - b];
      }
    }
    return out;
  }
}
