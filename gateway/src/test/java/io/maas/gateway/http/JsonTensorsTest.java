package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** KServe JSON tensor data to raw little-endian bytes and back. */
class JsonTensorsTest {
  static final long LIMIT = 1_000;

  static Tensor tensor(DataType type, long[] shape, String json) {
    return JsonTensors.fromJson("x", type, shape, new JsonArray(json), LIMIT);
  }

  @Test
  void nestedAndFlatDataGiveTheSameBytes() {
    Tensor nested = tensor(DataType.INT32, new long[] {2, 3}, "[[1,2,3],[4,5,6]]");
    Tensor flat = tensor(DataType.INT32, new long[] {2, 3}, "[1,2,3,4,5,6]");
    assertEquals(flat, nested);
    ByteBuffer expected = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 1; i <= 6; i++) {
      expected.putInt(i);
    }
    assertArrayEquals(expected.array(), flat.data());
  }

  @Test
  void everyFixedSizeTypeRoundTripsThroughJson() {
    String[][] cases = {
        {"BOOL", "[true,false]"}, {"UINT8", "[0,255]"}, {"UINT16", "[0,65535]"}, {"UINT32", "[0,4294967295]"},
        {"UINT64", "[0,18446744073709551615]"}, {"INT8", "[-128,127]"}, {"INT16", "[-32768,32767]"},
        {"INT32", "[-2147483648,2147483647]"}, {"INT64", "[-9223372036854775808,9223372036854775807]"},
        {"FP16", "[-0.5,65504.0]"}, {"FP32", "[0.1,-3.4028235E38]"}, {"FP64", "[0.1,1.0E300]"}};
    for (String[] c : cases) {
      DataType type = DataType.parse(c[0]);
      Tensor t = tensor(type, new long[] {2}, c[1]);
      assertEquals(2L * type.elementSize(), t.data().length, c[0]);
      assertEquals(new JsonArray(c[1]).encode(), JsonTensors.toJson(t).encode(), c[0]);
    }
  }

  @Test
  void bytesElementsAreUtf8Strings() {
    Tensor t = tensor(DataType.BYTES, new long[] {3}, "[\"a\",\"\",\"Grüße\"]");
    assertEquals("[\"a\",\"\",\"Grüße\"]", JsonTensors.toJson(t).encode());
  }

  @Test
  void valuesOutsideTheirTypeAreRejectedWithTheIndex() {
    Object[][] cases = {
        {DataType.UINT8, "[1,256]", "256 at index 1 is out of range for UINT8"},
        {DataType.INT8, "[-129]", "out of range for INT8"},
        {DataType.UINT64, "[-1]", "out of range for UINT64"},
        {DataType.UINT64, "[18446744073709551616]", "out of range for UINT64"},
        {DataType.INT64, "[9223372036854775808]", "out of range for INT64"},
        {DataType.FP16, "[65520]", "out of range for FP16"},
        {DataType.FP32, "[1e39]", "out of range for FP32"},
        {DataType.INT32, "[1.5]", "not an integer"},
        {DataType.BOOL, "[1]", "index 0 is a number, not a valid BOOL"},
        {DataType.FP32, "[\"1\"]", "index 0 is a string"},
        {DataType.BYTES, "[1]", "index 0 is a number"},
        {DataType.INT32, "[null]", "index 0 is null"}};
    for (Object[] c : cases) {
      MaasException e = assertThrows(MaasException.class,
          () -> tensor((DataType) c[0], new long[] {new JsonArray((String) c[1]).size()}, (String) c[1]));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains((String) c[2]), c[2] + " not in: " + e.getMessage());
      assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }
  }

  @Test
  void integralFloatsAreAcceptedForIntegerTypes() {
    Tensor t = tensor(DataType.INT64, new long[] {1}, "[3.0]");
    assertEquals(3L, t.buffer().getLong());
  }

  @Test
  void elementCountMustMatchTheShapeAndTheLimit() {
    assertTrue(assertThrows(MaasException.class, () -> tensor(DataType.INT32, new long[] {2, 2}, "[1,2,3]"))
        .getMessage().contains("needs 4 values, got 3"));
    assertTrue(assertThrows(MaasException.class, () -> tensor(DataType.INT32, new long[] {2}, "[1,2,3]"))
        .getMessage().contains("more values than its shape holds"));
    assertTrue(assertThrows(MaasException.class, () -> tensor(DataType.INT32, new long[] {LIMIT + 1}, "[1]"))
        .getMessage().contains("over the limit of " + LIMIT));
  }

  @Test
  void requestDecodingReadsIdOutputsAndParameters() {
    Buffer body = Buffer.buffer("{\"id\":\"r1\",\"parameters\":{\"p\":1},\"inputs\":[{\"name\":\"a\",\"datatype\":\"UINT64\","
        + "\"shape\":[1],\"data\":[18446744073709551615]}],\"outputs\":[{\"name\":\"o\",\"parameters\":{}}]}");
    InferenceRequest r = V2Json.decodeRequest("m", "2", body, new EdgeLimits(LIMIT, 8));
    assertEquals("r1", r.id());
    assertEquals("2", r.version());
    assertEquals(java.util.List.of("o"), r.outputs());
    assertEquals(1, r.parameters().getInteger("p"));
    assertEquals(new BigInteger("18446744073709551615"), new BigInteger(Long.toUnsignedString(r.inputs().get(0).buffer().getLong())));
  }

  @Test
  void malformedRequestPartsNameWhatIsWrong() {
    String[][] cases = {
        {"{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}", "inputs[0] has no 'name'"},
        {"{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"data\":[1]}]}", "input 'a' has no 'datatype'"},
        {"{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"data\":[1]}]}", "input 'a' has no 'shape' array"},
        {"{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1]}]}", "input 'a' has no 'data'"},
        {"{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1.5],\"data\":[1]}]}", "non-negative integers"},
        {"{\"inputs\":[],\"outputs\":[5]}", "outputs[0] must be an object"},
        {"{\"inputs\":[],\"id\":5}", "'id' must be a string"},
        {"{\"inputs\":[],\"parameters\":[]}", "'parameters' must be an object"},
        {"{\"inputs\":[1,2,3,4,5,6,7,8,9]}", "9 inputs is over the limit of 8"}};
    for (String[] c : cases) {
      MaasException e = assertThrows(MaasException.class,
          () -> V2Json.decodeRequest("m", "", Buffer.buffer(c[0]), new EdgeLimits(LIMIT, 8)));
      assertTrue(e.getMessage().contains(c[1]), c[1] + " not in: " + e.getMessage());
    }
  }

  static long[] shape(String json) {
    return JsonTensors.shapeOf("x", Buffer.buffer(json).toJsonValue(), LIMIT);
  }

  @Test
  void shapeIsTheNestingOfRectangularArrays() {
    assertArrayEquals(new long[] {2, 3}, shape("[[1,2,3],[4,5,6]]"));
    assertArrayEquals(new long[] {1, 2, 1}, shape("[[[1],[2]]]"));
    assertArrayEquals(new long[] {3}, shape("[\"a\",\"b\",\"c\"]"));
    assertArrayEquals(new long[] {}, shape("7"));
    assertArrayEquals(new long[] {2, 0}, shape("[[],[]]"));
  }

  @Test
  void raggedDeepOrOversizedNestingIsRejected() {
    String[][] cases = {
        {"[[1,2],[3]]", "element [1] holds 1 elements where the others at that depth hold 2"},
        {"[[1,2],3]", "element [1] is a value where the others at that depth are arrays of 2"},
        {"[[1,2],[3,[4]]]", "element [1][1] is an array where the others at that depth are values"},
        {"[[],[1]]", "element [1] holds 1 elements"},
        {"[".repeat(17) + "1" + "]".repeat(17), "deeper than the limit of 16"},
        {"[" + "[1,2,3,4,5,6,7,8,9,10],".repeat(100) + "[1,2,3,4,5,6,7,8,9,10]]", "over the limit"},
    };
    for (String[] c : cases) {
      MaasException e = assertThrows(MaasException.class, () -> shape(c[0]));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains(c[1]), c[1] + " not in: " + e.getMessage());
    }
  }

  @Test
  void nestedJsonRoundTripsThroughATensor() {
    JsonArray nested = new JsonArray("[[[1,2],[3,4],[5,6]],[[7,8],[9,10],[11,12]]]");
    Tensor t = JsonTensors.fromNested("x", DataType.INT64, nested, LIMIT);
    assertArrayEquals(new long[] {2, 3, 2}, t.shape());
    assertEquals(nested.encode(), ((JsonArray) JsonTensors.toNestedJson(t)).encode());
    Tensor scalar = JsonTensors.fromNested("x", DataType.FP32, 2.5, LIMIT);
    assertEquals(2.5f, JsonTensors.toNestedJson(scalar));
  }
}
