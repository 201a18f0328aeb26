package io.maas.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecsTest {

  private static final byte[] PREFIX = "some earlier frame bytes".getBytes(StandardCharsets.UTF_8);

  private static List<Tensor> tensors() {
    ByteBuffer fp = ByteBuffer.allocate(6 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : new float[] {0f, -1.5f, 3.25f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN}) {
      fp.putFloat(f);
    }
    return List.of(
        new Tensor("TEXT", DataType.BYTES, new long[] {2, 2},
            BytesElements.encodeStrings(List.of("hello", "", "ünïcödé ✓", "日本語"))),
        new Tensor("FLOATS", DataType.FP32, new long[] {2, 3}, fp.array()),
        new Tensor("EMPTY", DataType.INT64, new long[] {0, 7}, new byte[0]),
        new Tensor("SCALAR", DataType.UINT8, new long[0], new byte[] {(byte) 0xff}));
  }

  private static Buffer prefixed() {
    return Buffer.buffer().appendBytes(PREFIX);
  }

  private static void assertTensorsEqual(List<Tensor> expected, List<Tensor> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      Tensor e = expected.get(i);
      Tensor a = actual.get(i);
      assertEquals(e.name(), a.name());
      assertEquals(e.datatype(), a.datatype());
      assertArrayEquals(e.shape(), a.shape(), e.name());
      assertArrayEquals(e.data(), a.data(), e.name());
      assertEquals(e, a);
    }
  }

  @Test
  void requestRoundTripsAtNonZeroPosition() {
    JsonObject params = new JsonObject()
        .put("priority", 3)
        .put("tag", "ça va")
        .put("nested", new JsonObject().put("list", new JsonArray().add(1).add("two")));
    InferenceRequest sent = new InferenceRequest(
        "my-model", "12", "req-ü-1", tensors(), List.of("OUT_A", "OUT_ß"), params);
    InferenceRequestCodec codec = new InferenceRequestCodec();
    Buffer buffer = prefixed();
    codec.encodeToWire(buffer, sent);

    InferenceRequest got = codec.decodeFromWire(PREFIX.length, buffer);

    assertEquals("my-model", got.model());
    assertEquals("12", got.version());
    assertEquals("req-ü-1", got.id());
    assertTensorsEqual(sent.inputs(), got.inputs());
    assertEquals(List.of("OUT_A", "OUT_ß"), got.outputs());
    assertEquals(params, got.parameters());
    assertArrayEquals(PREFIX, buffer.getBytes(0, PREFIX.length), "the prefix is left alone");
  }

  @Test
  void requestWithEmptyFieldsRoundTrips() {
    InferenceRequest sent = new InferenceRequest("m", "", "", List.of(), List.of(), null);
    InferenceRequestCodec codec = new InferenceRequestCodec();
    Buffer buffer = prefixed();
    codec.encodeToWire(buffer, sent);

    InferenceRequest got = codec.decodeFromWire(PREFIX.length, buffer);

    assertEquals("m", got.model());
    assertEquals("", got.version());
    assertEquals("", got.id());
    assertTrue(got.inputs().isEmpty());
    assertTrue(got.outputs().isEmpty());
    assertEquals(new JsonObject(), got.parameters());
  }

  @Test
  void responseRoundTripsAtNonZeroPosition() {
    JsonObject params = new JsonObject().put("sequence_end", true).put("weight", 0.5);
    InferenceResponse sent = new InferenceResponse("resp-model", "3", "abc", tensors(), params);
    InferenceResponseCodec codec = new InferenceResponseCodec();
    Buffer buffer = prefixed();
    codec.encodeToWire(buffer, sent);

    InferenceResponse got = codec.decodeFromWire(PREFIX.length, buffer);

    assertEquals("resp-model", got.model());
    assertEquals("3", got.version());
    assertEquals("abc", got.id());
    assertTensorsEqual(sent.outputs(), got.outputs());
    assertEquals(params, got.parameters());
  }

  @Test
  void responseWithEmptyIdAndVersionRoundTrips() {
    InferenceResponse sent = new InferenceResponse("m", "", "", List.of(tensors().get(2)), new JsonObject());
    InferenceResponseCodec codec = new InferenceResponseCodec();
    Buffer buffer = prefixed();
    codec.encodeToWire(buffer, sent);

    InferenceResponse got = codec.decodeFromWire(PREFIX.length, buffer);

    assertEquals("", got.version());
    assertEquals("", got.id());
    assertTensorsEqual(sent.outputs(), got.outputs());
    assertEquals(new JsonObject(), got.parameters());
  }

  @Test
  void twoRequestsBackToBackDecodeIndependently() {
    InferenceRequestCodec codec = new InferenceRequestCodec();
    InferenceRequest first = new InferenceRequest("a", "1", "x", tensors(), List.of(), null);
    InferenceRequest second = new InferenceRequest("b", "2", "y", List.of(tensors().get(1)), List.of("o"), null);
    Buffer buffer = prefixed();
    codec.encodeToWire(buffer, first);
    int secondPos = buffer.length();
    codec.encodeToWire(buffer, second);

    InferenceRequest got = codec.decodeFromWire(secondPos, buffer);

    assertEquals("b", got.model());
    assertEquals(List.of("o"), got.outputs());
    assertTensorsEqual(second.inputs(), got.inputs());
    assertEquals("a", codec.decodeFromWire(PREFIX.length, buffer).model());
  }

  @Test
  void localDeliveryPassesTheSameInstanceAndNamesDiffer() {
    InferenceRequest r = new InferenceRequest("m", "", "", List.of(), List.of(), null);
    InferenceResponse s = new InferenceResponse("m", "1", "", List.of(), null);
    assertTrue(r == new InferenceRequestCodec().transform(r));
    assertTrue(s == new InferenceResponseCodec().transform(s));
    assertNotEquals(new InferenceRequestCodec().name(), new InferenceResponseCodec().name());
  }
}
