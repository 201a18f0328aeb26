package io.maas.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.DataType;
import io.maas.tensor.Half;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a KServe V2 infer response straight into the body buffer: output data goes from the tensors'
 * little-endian bytes to JSON text (or, for outputs asked for as binary, after the JSON header as they
 * are) with no JSON tree and no boxed number in between. The text is the one Vert.x would write for the
 * same response as a JsonObject: same key order, same number formatting.
 */
final class V2ResponseWriter {
  /** Jackson's defaults, as Vert.x writes JSON (its fast double writer was tried: it allocates more here). */
  private static final JsonFactory JSON = new JsonFactory();
  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** A guess of the JSON text per element, to size the body buffer once in the common case. */
  private static final int CHARS_PER_VALUE = 12;

  private V2ResponseWriter() {}

  static V2Json.Encoded write(InferenceResponse r, V2Json.BinaryOutputs binaryOutputs) {
    boolean anyBinary = false;
    long binaryBytes = 0;
    long jsonValues = 0;
    for (Tensor t : r.outputs()) {
      if (binaryOutputs.binary(t.name())) {
        anyBinary = true;
        binaryBytes += t.data().length;
      } else {
        jsonValues += t.datatype() == DataType.BYTES ? t.data().length : t.elementCount();
      }
    }
    Buffer body = Buffer.buffer((int) Math.min(1 << 26, 256 + 64L * r.outputs().size()
        + CHARS_PER_VALUE * jsonValues + binaryBytes));
    try (JsonGenerator g = JSON.createGenerator(new BufferOutput(body))) {
      g.writeStartObject();
      g.writeStringField("model_name", r.model());
      g.writeStringField("model_version", r.version());
      if (!r.id().isEmpty()) {
        g.writeStringField("id", r.id());
      }
      if (!r.parameters().isEmpty()) {
        g.writeFieldName("parameters");
        JacksonCodec.encodeJson(r.parameters(), g);
      }
      g.writeArrayFieldStart("outputs");
      for (Tensor t : r.outputs()) {
        writeOutput(g, t, binaryOutputs.binary(t.name()));
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a Buffer does not fail to grow
    }
    if (!anyBinary) {
      return new V2Json.Encoded(body, -1);
    }
    int headerLength = body.length();
    for (Tensor t : r.outputs()) {
      if (binaryOutputs.binary(t.name())) {
        body.appendBytes(t.data());
      }
    }
    return new V2Json.Encoded(body, headerLength);
  }

  private static void writeOutput(JsonGenerator g, Tensor t, boolean binary) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", t.name());
    g.writeStringField("datatype", t.datatype().name());
    g.writeArrayFieldStart("shape");
    for (long d : t.shape()) {
      g.writeNumber(d);
    }
    g.writeEndArray();
    if (binary) {
      g.writeObjectFieldStart("parameters");
      g.writeNumberField(BinaryTensorData.SIZE, t.data().length);
      g.writeEndObject();
    } else {
      g.writeArrayFieldStart("data");
      writeData(g, t);
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  /** The values, flat, as {@link JsonTensors#toJson} gives them. */
  private static void writeData(JsonGenerator g, Tensor t) throws IOException {
    byte[] b = t.data();
    DataType type = t.datatype();
    if (type == DataType.BYTES) {
      for (int at = 0; at < b.length; ) {
        int length = (int) INT.get(b, at);
        g.writeString(new String(b, at + 4, length, StandardCharsets.UTF_8));
        at += 4 + length;
      }
      return;
    }
    int size = type.elementSize();
    for (int at = 0; at < b.length; at += size) {
      switch (type) {
        case BOOL -> g.writeBoolean(b[at] != 0);
        case UINT8 -> g.writeNumber(b[at] & 0xff);
        case INT8 -> g.writeNumber((int) b[at]);
        case UINT16 -> g.writeNumber((short) SHORT.get(b, at) & 0xffff);
        case INT16 -> g.writeNumber((int) (short) SHORT.get(b, at));
        case UINT32 -> g.writeNumber((int) INT.get(b, at) & 0xffffffffL);
        case INT32 -> g.writeNumber((int) INT.get(b, at));
        case INT64 -> g.writeNumber((long) LONG.get(b, at));
        case UINT64 -> {
          long l = (long) LONG.get(b, at);
          if (l >= 0) {
            g.writeNumber(l);
          } else {
            g.writeNumber(Long.toUnsignedString(l)); // written as the number it spells
          }
        }
        case FP16 -> g.writeNumber(Half.toFloat((short) SHORT.get(b, at)));
        case FP32 -> g.writeNumber(Float.intBitsToFloat((int) INT.get(b, at)));
        case FP64 -> g.writeNumber(Double.longBitsToDouble((long) LONG.get(b, at)));
        default -> throw new IllegalStateException(type.toString());
      }
    }
  }

  /** Jackson's output, appended to a Vert.x buffer (Jackson buffers and writes in chunks). */
  private static final class BufferOutput extends OutputStream {
    private final Buffer buffer;

    BufferOutput(Buffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public void write(int b) {
      buffer.appendByte((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      buffer.appendBytes(b, off, len);
    }
  }
}
