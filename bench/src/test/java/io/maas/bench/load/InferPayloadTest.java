package io.maas.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferPayloadTest {
  private final InferPayload payload = new InferPayload(List.of(
      new InferPayload.Input("ids", "INT64", new long[] {1, 2}, new long[] {7, 300}),
      new InferPayload.Input("mask", "INT32", new long[] {1, 2}, new long[] {1, -1})), List.of("embedding"));

  @Test
  void jsonCarriesShapesTypesDataAndRequestedOutputs() {
    JsonObject body = payload.json().toJsonObject();
    assertEquals("[7,300]", body.getJsonArray("inputs").getJsonObject(0).getJsonArray("data").encode());
    assertEquals("INT32", body.getJsonArray("inputs").getJsonObject(1).getString("datatype"));
    assertEquals("embedding", body.getJsonArray("outputs").getJsonObject(0).getString("name"));
  }

  @Test
  void binaryBodyIsTheHeaderThenLittleEndianTensorsInOrder() {
    Buffer body = payload.binary();
    int h = payload.binaryHeaderLength();
    JsonObject header = body.getBuffer(0, h).toJsonObject();
    assertEquals(16, header.getJsonArray("inputs").getJsonObject(0).getJsonObject("parameters")
        .getLong("binary_data_size"));
    assertEquals(8, header.getJsonArray("inputs").getJsonObject(1).getJsonObject("parameters")
        .getLong("binary_data_size"));
    assertEquals(true, header.getJsonObject("parameters").getBoolean("binary_data_output"));
    assertEquals(h + 24, body.length());
    assertEquals(300, body.getLongLE(h + 8));
    assertEquals(-1, body.getIntLE(h + 20));
  }

  @Test
  void grpcUsesRawInputContents() {
    ModelInferRequest r = payload.grpc("m");
    assertEquals("m", r.getModelName());
    assertEquals(2, r.getRawInputContentsCount());
    assertEquals(300, r.getRawInputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong(8));
    assertEquals(List.of(1L, 2L), r.getInputs(1).getShapeList());
    assertEquals("embedding", r.getOutputs(0).getName());
  }
}
