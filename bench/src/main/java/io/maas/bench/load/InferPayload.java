package io.maas.bench.load;

import com.google.protobuf.ByteString;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The one inference request a load sends, in each wire form: KServe V2 JSON, KServe V2 JSON with the
 * binary tensor data extension (binary inputs, binary outputs), and the KServe V2 gRPC message (inputs
 * as {@code raw_input_contents}, as Triton's clients send them).
 *
 * @param inputs the input tensors (integer types only: what the bench's models take)
 * @param outputs the outputs to ask for; empty: every output
 */
public record InferPayload(List<Input> inputs, List<String> outputs) {
  public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  /** One integer input tensor: {@code INT32} or {@code INT64}, values in row-major order. */
  public record Input(String name, String datatype, long[] shape, long[] values) {
    public Input {
      if (!datatype.equals("INT32") && !datatype.equals("INT64")) {
        throw new IllegalArgumentException("only INT32 and INT64 inputs: " + datatype);
      }
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException(name + ": shape holds " + n + " elements, " + values.length + " given");
      }
    }

    int elementBytes() {
      return datatype.equals("INT64") ? 8 : 4;
    }

    byte[] littleEndian() {
      ByteBuffer b = ByteBuffer.allocate(values.length * elementBytes()).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        if (elementBytes() == 8) {
          b.putLong(v);
        } else {
          b.putInt((int) v);
        }
      }
      return b.array();
    }
  }

  /** Rows along dimension 0 of the first input. */
  public int rows() {
    return (int) inputs.get(0).shape()[0];
  }

  public Buffer json() {
    JsonArray in = new JsonArray();
    for (Input i : inputs) {
      JsonArray data = new JsonArray();
      for (long v : i.values()) {
        data.add(v);
      }
      in.add(tensorHeader(i).put("data", data));
    }
    JsonObject body = new JsonObject().put("inputs", in);
    if (!outputs.isEmpty()) {
      body.put("outputs", new JsonArray(outputs.stream().map(o -> new JsonObject().put("name", o)).toList()));
    }
    return body.toBuffer();
  }

  /** The binary extension's body; its JSON header is {@link #binaryHeaderLength()} bytes long. */
  public Buffer binary() {
    Buffer header = binaryHeader();
    Buffer body = Buffer.buffer().appendBuffer(header);
    inputs.forEach(i -> body.appendBytes(i.littleEndian()));
    return body;
  }

  public int binaryHeaderLength() {
    return binaryHeader().length();
  }

  private Buffer binaryHeader() {
    JsonArray in = new JsonArray();
    for (Input i : inputs) {
      in.add(tensorHeader(i).put("parameters", new JsonObject()
          .put("binary_data_size", (long) i.values().length * i.elementBytes())));
    }
    JsonObject body = new JsonObject().put("inputs", in)
        .put("parameters", new JsonObject().put("binary_data_output", true));
    if (!outputs.isEmpty()) {
      body.put("outputs", new JsonArray(outputs.stream()
          .map(o -> new JsonObject().put("name", o).put("parameters", new JsonObject().put("binary_data", true)))
          .toList()));
    }
    return body.toBuffer();
  }

  public ModelInferRequest grpc(String model) {
    ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
    for (Input i : inputs) {
      ModelInferRequest.InferInputTensor.Builder t = b.addInputsBuilder().setName(i.name()).setDatatype(i.datatype());
      for (long d : i.shape()) {
        t.addShape(d);
      }
      b.addRawInputContents(ByteString.copyFrom(i.littleEndian()));
    }
    outputs.forEach(o -> b.addOutputsBuilder().setName(o));
    return b.build();
  }

  private static JsonObject tensorHeader(Input i) {
    JsonArray shape = new JsonArray();
    for (long d : i.shape()) {
      shape.add(d);
    }
    return new JsonObject().put("name", i.name()).put("shape", shape).put("datatype", i.datatype());
  }
}
