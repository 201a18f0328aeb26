package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming V2 codec against the JsonObject-based one it replaced ({@link BoxedV2Json}): the same
 * tensors and options from the same bodies, the same errors for the same faults, and byte for byte the
 * same response text.
 */
class V2StreamingCodecTest {
  static final EdgeLimits LIMITS = new EdgeLimits(1_000, 8);

  static String input(String name, String datatype, String shape, String data) {
    return "{\"name\":\"" + name + "\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape + ",\"data\":" + data + "}";
  }

  static String body(String... inputs) {
    return "{\"inputs\":[" + String.join(",", inputs) + "]}";
  }

  static V2Json.Decoded streamed(String body) {
    return V2Json.decodeRequest("m", "1", Buffer.buffer(body), null, LIMITS);
  }

  static V2Json.Decoded boxed(String body) {
    return BoxedV2Json.decodeRequest("m", "1", Buffer.buffer(body), null, LIMITS);
  }

  static void assertSameRequest(V2Json.Decoded expected, V2Json.Decoded actual, String what) {
    InferenceRequest e = expected.request();
    InferenceRequest a = actual.request();
    assertEquals(e.inputs(), a.inputs(), what);
    assertEquals(e.outputs(), a.outputs(), what);
    assertEquals(e.id(), a.id(), what);
    assertEquals(e.parameters(), a.parameters(), what);
    assertEquals(expected.binaryOutputs(), actual.binaryOutputs(), what);
  }

  @Test
  void everyDatatypeDecodesToTheSameBytesFlatOrNested() {
    String[][] cases = {
        {"BOOL", "[2]", "[true,false]"}, {"UINT8", "[2]", "[0,255]"}, {"UINT16", "[2]", "[0,65535]"},
        {"UINT32", "[2]", "[0,4294967295]"}, {"UINT64", "[3]", "[0,9223372036854775807,18446744073709551615]"},
        {"INT8", "[2]", "[-128,127]"}, {"INT16", "[2]", "[-32768,32767]"},
        {"INT32", "[2]", "[-2147483648,2147483647]"}, {"INT64", "[2]", "[-9223372036854775808,9223372036854775807]"},
        {"INT64", "[3]", "[3.0,-0.0,1e3]"}, {"INT32", "[1]", "[1.0000000000000000001]"}, {"UINT8", "[1]", "[2.0]"},
        {"FP16", "[3]", "[-0.5,65504.0,1e-8]"}, {"FP32", "[4]", "[0.1,-3.4028235E38,1,12345678901234567890]"},
        {"FP64", "[3]", "[0.1,1.0E300,-7]"}, {"BYTES", "[3]", "[\"a\",\"\",\"Grüße \\u00e9\\n\"]"},
        {"INT32", "[2,3]", "[[1,2,3],[4,5,6]]"}, {"INT32", "[2,3]", "[1,2,3,4,5,6]"},
        {"FP32", "[]", "2.5"}, {"FP32", "[]", "[2.5]"}, {"FP32", "[0]", "[]"}, {"INT64", "[2,0]", "[[],[]]"}};
    for (String[] c : cases) {
      String b = body(input("x", c[0], c[1], c[2]));
      assertSameRequest(boxed(b), streamed(b), b);
    }
  }

  /** Nested data must nest as the shape does: a ragged array is refused, naming the input. */
  @Test
  void raggedNestedDataIsRefused() {
    for (String data : new String[] {"[[1,2],[3,4,5,6]]", "[[1,2,3],4,5,6]", "[1,2,3,[4,5,6]]", "[[[1,2,3],[4,5,6]]]"}) {
      String b = body(input("x", "INT32", "[2,3]", data));
      MaasException e = assertThrows(MaasException.class, () -> streamed(b), data);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().startsWith("input 'x': ragged data"), e.getMessage());
    }
  }

  @Test
  void keysMayComeInAnyOrderDataFirstIncluded() {
    String data = "[[1,2,3],[4,5,6]]";
    String expected = body(input("x", "INT64", "[2,3]", data));
    String[] reordered = {
        "{\"inputs\":[{\"data\":" + data + ",\"shape\":[2,3],\"name\":\"x\",\"datatype\":\"INT64\"}]}",
        "{\"inputs\":[{\"name\":\"x\",\"data\":" + data + ",\"datatype\":\"INT64\",\"shape\":[2,3]}]}",
        "{\"outputs\":[{\"name\":\"y\"}],\"inputs\":[{\"shape\":[2,3],\"datatype\":\"INT64\",\"data\":" + data
            + ",\"name\":\"x\"}],\"id\":\"r\"}",
        "{\"inputs\":[{\"data\":[\"a\",\"b\"],\"shape\":[2],\"name\":\"s\",\"datatype\":\"BYTES\"},"
            + "{\"data\":" + data + ",\"shape\":[2,3],\"name\":\"x\",\"datatype\":\"INT64\",\"extra\":{\"k\":[1]}}]}"};
    for (String b : reordered) {
      assertSameRequest(boxed(b), streamed(b), b);
    }
    assertEquals(streamed(expected).request().inputs(), streamed(reordered[0]).request().inputs());
  }

  @Test
  void dataBeforeItsShapeIsReadAgainFromWhereItStartsInASlicedBody() {
    String json = "{\"inputs\":[{\"data\":[7,8,9],\"name\":\"x\",\"shape\":[3],\"datatype\":\"INT16\"}]}";
    Buffer padded = Buffer.buffer("garbage before" + json + "garbage after");
    Buffer slice = padded.slice(14, 14 + json.length());
    Tensor t = V2Json.decodeRequest("m", "", slice, LIMITS).inputs().get(0);
    ByteBuffer b = t.buffer();
    assertEquals(7, b.getShort());
    assertEquals(8, b.getShort());
    assertEquals(9, b.getShort());
  }

  @Test
  void idOutputsParametersAndBinaryFlagsAreTheSame() {
    String b = "{\"id\":\"r1\",\"parameters\":{\"p\":1,\"binary_data_output\":true,\"q\":[1.5,{\"z\":null}]},"
        + "\"inputs\":[" + input("a", "FP32", "[1]", "[1]") + "],"
        + "\"outputs\":[{\"name\":\"o\",\"parameters\":{\"binary_data\":false}},{\"name\":\"p\"}]}";
    assertSameRequest(boxed(b), streamed(b), b);
    assertEquals(1, streamed(b).request().parameters().getInteger("p"));
  }

  @Test
  void binaryTensorDataDecodesTheSame() {
    byte[] longs = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(1).putLong(-2).putLong(3).array();
    String header = "{\"inputs\":[{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"INT64\",\"parameters\":"
        + "{\"binary_data_size\":24}},{\"parameters\":{\"binary_data_size\":12},\"datatype\":\"BYTES\",\"name\":\"s\","
        + "\"shape\":[2]}," + input("j", "INT8", "[2]", "[1,-1]") + "]}";
    byte[] strings = BytesElements.encodeStrings(List.of("ab", "cd"));
    Buffer body = Buffer.buffer(header).appendBytes(longs).appendBytes(strings);
    String length = Integer.toString(header.length());
    V2Json.Decoded expected = BoxedV2Json.decodeRequest("m", "", body, length, LIMITS);
    V2Json.Decoded actual = V2Json.decodeRequest("m", "", body, length, LIMITS);
    assertSameRequest(expected, actual, header);
    assertArrayEquals(longs, actual.request().inputs().get(0).data());
  }

  @Test
  void singleFaultBodiesGetTheSameError() {
    String sixteen = "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]";
    String[] bodies = {
        "", "   ", "[1,2]", "{\"inputs\": [", "{\"inputs\": 5}", "{}", "{\"inputs\":null}", "{\"inputs\":[1,2,3,4,5,6,7,8,9]}",
        "{\"inputs\":[5]}", "{\"inputs\":[]} x",
        body(input("x", "INT32", "[1,16]", "[1,2,3]")),
        body(input("x", "INT32", "[2]", "[1,2,3]")),
        body(input("x", "INT32", "[1001]", "[1]")),
        body(input("x", "INT32", "[1,16]", sixteen.replace("[0,", "[\"a\","))),
        body(input("x", "INT32", "[1,16]", sixteen.replace("[0,", "[4294967296,"))),
        body(input("x", "INT32", "[1,16]", sixteen.replace("[0,", "[0.5,"))),
        body(input("x", "INT32", "[1,16]", sixteen.replace("[0,", "[{\"a\":1},"))),
        body(input("x", "INT32", "[1,16]", sixteen.replace("[0,", "[null,"))),
        body(input("x", "INT32", "[1,16]", sixteen.replace("[0,", "[true,"))),
        body(input("x", "INT32", "[-1,16]", sixteen)),
        body(input("x", "INT32", "[1.5]", "[1]")),
        body(input("x", "INT32", "[[1]]", "[1]")),
        body(input("x", "INT32", "\"1\"", "[1]")),
        body(input("x", "INT128", "[1]", "[1]")),
        body(input("x", "INT32", "[1" + ",1".repeat(16) + "]", "[1]")),
        body(input("", "INT32", "[1]", "[1]")),
        "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}",
        "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"data\":[1]}]}",
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"data\":[1]}]}",
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1]}]}",
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":5,\"shape\":[1],\"data\":[1]}]}",
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1],\"parameters\":[]}]}",
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1],\"parameters\":{\"binary_data_size\":-4}}]}",
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1],\"parameters\":{\"binary_data_size\":4}}]}",
        "{\"inputs\":[],\"outputs\":[5]}", "{\"inputs\":[],\"outputs\":5}", "{\"inputs\":[],\"outputs\":[{\"name\":1}]}",
        "{\"inputs\":[],\"outputs\":[{\"name\":\"o\",\"parameters\":{\"binary_data\":\"yes\"}}]}",
        "{\"inputs\":[],\"outputs\":[{\"name\":\"o\",\"parameters\":3}]}",
        "{\"inputs\":[],\"outputs\":[" + "{\"name\":\"o\"},".repeat(8) + "{\"name\":\"o\"}]}",
        "{\"inputs\":[],\"id\":5}", "{\"inputs\":[],\"parameters\":[]}",
        "{\"inputs\":[],\"parameters\":{\"binary_data_output\":1}}",
        body(input("x", "UINT8", "[2]", "[1,256]")), body(input("x", "INT8", "[1]", "[-129]")),
        body(input("x", "UINT64", "[1]", "[-1]")), body(input("x", "UINT64", "[1]", "[18446744073709551616]")),
        body(input("x", "INT64", "[1]", "[9223372036854775808]")), body(input("x", "INT64", "[1]", "[1e19]")),
        body(input("x", "FP16", "[1]", "[65520]")), body(input("x", "FP32", "[1]", "[1e39]")),
        body(input("x", "FP32", "[1]", "[1" + "0".repeat(40) + "]")), body(input("x", "BOOL", "[1]", "[1]")),
        body(input("x", "BYTES", "[1]", "[1]")), body(input("x", "FP32", "[1]", "[NaN]"))};
    for (String b : bodies) {
      MaasException expected = assertThrows(MaasException.class, () -> boxed(b), b);
      MaasException actual = assertThrows(MaasException.class, () -> streamed(b), b);
      assertEquals(ErrorCode.INVALID_ARGUMENT, actual.code(), b);
      if (expected.getMessage().startsWith("malformed JSON")) {
        assertTrue(actual.getMessage().startsWith("malformed JSON"), b + " -> " + actual.getMessage());
      } else {
        assertEquals(expected.getMessage(), actual.getMessage(), b);
      }
    }
  }

  @Test
  void dataAndABinarySizeTogetherAreRejectedWhicheverComesFirst() {
    // the boxed codec named the missing header first; both faults are real, the stream meets this one first
    for (String b : List.of(
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1],\"parameters\":{\"binary_data_size\":4}}]}",
        "{\"inputs\":[{\"name\":\"a\",\"parameters\":{\"binary_data_size\":4},\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}")) {
      MaasException e = assertThrows(MaasException.class, () -> streamed(b));
      assertEquals("input 'a' has both 'data' and parameters.binary_data_size: send one or the other", e.getMessage());
    }
  }

  @Test
  void aHugeShapeWithLittleDataIsRejectedForItsCount() {
    EdgeLimits noLimit = new EdgeLimits(1L << 40, 8);
    MaasException e = assertThrows(MaasException.class, () -> V2Json.decodeRequest("m", "",
        Buffer.buffer(body(input("x", "FP32", "[500000000]", "[1]"))), null, noLimit));
    assertTrue(e.getMessage().contains("needs 500000000 values, got 1"), e.getMessage());
    e = assertThrows(MaasException.class, () -> V2Json.decodeRequest("m", "",
        Buffer.buffer(body(input("x", "FP64", "[1000000000]", "[1]"))), null, noLimit));
    assertTrue(e.getMessage().contains("1000000000 elements of FP64 is over the limit of"), e.getMessage());
  }

  @Test
  void aKeyGivenTwiceIsABadRequest() {
    MaasException e = assertThrows(MaasException.class,
        () -> streamed("{\"inputs\":[],\"inputs\":[" + input("x", "INT8", "[1]", "[1]") + "]}"));
    assertTrue(e.getMessage().contains("malformed JSON") && e.getMessage().contains("inputs"), e.getMessage());
  }

  static Tensor tensor(String name, DataType type, long[] shape, byte[] data) {
    return new Tensor(name, type, shape, data);
  }

  static List<Tensor> everyDatatype(Random random) {
    List<Tensor> out = new ArrayList<>();
    for (DataType type : DataType.values()) {
      if (type == DataType.BYTES) {
        out.add(tensor("BYTES", type, new long[] {4},
            BytesElements.encodeStrings(List.of("a", "", "Grüße \"quoted\"\n", "\u0001"))));
        continue;
      }
      byte[] data = new byte[6 * type.elementSize()];
      random.nextBytes(data);
      if (type == DataType.BOOL) {
        for (int i = 0; i < data.length; i++) {
          data[i] = (byte) (data[i] & 1);
        }
      }
      out.add(tensor(type.name(), type, new long[] {2, 3}, data));
    }
    ByteBuffer special = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN)
        .putFloat(Float.POSITIVE_INFINITY).putFloat(-0.0f).putFloat(Float.MIN_VALUE).putFloat(0.1f)
        .putFloat(Float.MAX_VALUE).putFloat(1e-7f);
    out.add(tensor("special", DataType.FP32, new long[] {7}, special.array()));
    out.add(tensor("scalar", DataType.FP64, new long[] {}, new byte[8]));
    out.add(tensor("empty", DataType.INT64, new long[] {0, 4}, new byte[0]));
    return out;
  }

  @Test
  void responsesAreByteForByteTheTextTheJsonObjectGave() {
    Random random = new Random(42);
    for (int round = 0; round < 20; round++) {
      List<Tensor> outputs = everyDatatype(random);
      for (InferenceResponse r : List.of(
          new InferenceResponse("m", "3", "", outputs, null),
          new InferenceResponse("m", "", "id-\"1\"", outputs, new JsonObject().put("p", 1).put("q", List.of(1.5, "x"))))) {
        assertEquals(BoxedV2Json.encodeResponse(r).encode(), V2Json.encodeResponse(r).toString());
      }
    }
  }

  @Test
  void binaryOutputsFollowTheSameHeader() {
    List<Tensor> outputs = everyDatatype(new Random(7));
    InferenceResponse r = new InferenceResponse("m", "1", "r", outputs, null);
    for (V2Json.BinaryOutputs binary : List.of(new V2Json.BinaryOutputs(false, Map.of("FP32", true, "BYTES", true)),
        new V2Json.BinaryOutputs(true, Map.of("INT8", false)), new V2Json.BinaryOutputs(true, Map.of()))) {
      BoxedV2Json.Encoded expected = BoxedV2Json.encodeResponse(r, binary);
      V2Json.Encoded actual = V2Json.encodeResponse(r, binary);
      Buffer header = expected.header().toBuffer();
      assertEquals(header.length(), actual.headerLength());
      assertEquals(header.appendBuffer(expected.binary()), actual.body());
    }
    V2Json.Encoded plain = V2Json.encodeResponse(r, V2Json.BinaryOutputs.NONE);
    assertEquals(-1, plain.headerLength());
  }
}
