package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.tensor.BytesElements;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KServe's binary tensor data extension against a real node: binary inputs and outputs round trip
 * bit-exactly, mix with JSON tensors, and every malformed body is a 400 that names the problem.
 */
@ExtendWith(SharedNode.class)
class BinaryTensorDataTest {
  static RunningNode node;

  @BeforeAll
  static void start(RunningNode shared) throws Exception {
    node = shared;
  }


  /** A body as the extension lays it out, and the response split back into its JSON and binary parts. */
  record Reply(int status, String contentType, JsonObject json, byte[] binary, String errorCode) {
    /** The binary data of the i-th output, located by the binary_data_size of the outputs before it. */
    byte[] output(int index) {
      int from = 0;
      JsonArray outputs = json.getJsonArray("outputs");
      for (int i = 0; i < index; i++) {
        from += outputs.getJsonObject(i).getJsonObject("parameters", new JsonObject()).getInteger("binary_data_size", 0);
      }
      int size = outputs.getJsonObject(index).getJsonObject("parameters").getInteger("binary_data_size");
      return Arrays.copyOfRange(binary, from, from + size);
    }
  }

  static Reply send(String model, JsonObject header, byte[] binary) throws Exception {
    byte[] json = header.encode().getBytes(StandardCharsets.UTF_8);
    return send(model, Buffer.buffer(json).appendBytes(binary).getBytes(), Integer.toString(json.length));
  }

  static Reply send(String model, byte[] body, String headerLength) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(node.uri("/v2/models/" + model + "/infer"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/octet-stream");
    if (headerLength != null) {
      b.header("Inference-Header-Content-Length", headerLength);
    }
    HttpResponse<byte[]> r = node.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    String contentType = r.headers().firstValue("Content-Type").orElse("");
    int jsonLength = r.headers().firstValue("Inference-Header-Content-Length").map(Integer::parseInt)
        .orElse(r.body().length);
    JsonObject json = Buffer.buffer(Arrays.copyOf(r.body(), jsonLength)).toJsonObject();
    return new Reply(r.statusCode(), contentType, json, Arrays.copyOfRange(r.body(), jsonLength, r.body().length),
        r.headers().firstValue("X-Maas-Error-Code").orElse(null));
  }

  static JsonObject binaryInput(String name, String datatype, long[] shape, int size) {
    return new JsonObject().put("name", name).put("datatype", datatype).put("shape", new JsonArray(
        Arrays.stream(shape).boxed().toList())).put("parameters", new JsonObject().put("binary_data_size", size));
  }

  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] longs(long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }

  static byte[] ints(int... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  static JsonObject allBinary() {
    return new JsonObject().put("binary_data_output", true);
  }

  @Test
  void fp32RoundTripsAndEqualsTheJsonAnswer() throws Exception {
    float[] x = {1, 2, 3, 4, 0.5f, 0.25f, 0.125f, -1};
    Reply r = send("affine_fp32", new JsonObject()
        .put("inputs", new JsonArray().add(binaryInput("INPUT0", "FP32", new long[] {2, 4}, 32)))
        .put("outputs", new JsonArray().add(new JsonObject().put("name", "OUTPUT0")
            .put("parameters", new JsonObject().put("binary_data", true)))), floats(x));
    assertEquals(200, r.status(), r.json().encode());
    assertEquals("application/octet-stream", r.contentType());
    JsonObject out = r.json().getJsonArray("outputs").getJsonObject(0);
    assertFalse(out.containsKey("data"), out.encode());
    assertEquals(16, out.getJsonObject("parameters").getInteger("binary_data_size"));

    JsonObject json = RunningNode.json(node.post("/v2/models/affine_fp32/infer", new JsonObject().put("inputs",
        new JsonArray().add(new JsonObject().put("name", "INPUT0").put("datatype", "FP32")
            .put("shape", new JsonArray().add(2).add(4)).put("data", new JsonArray().add(1).add(2).add(3).add(4)
                .add(0.5).add(0.25).add(0.125).add(-1)))).encode()));
    JsonArray expected = json.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    ByteBuffer got = ByteBuffer.wrap(r.output(0)).order(ByteOrder.LITTLE_ENDIAN);
    for (Object e : expected) {
      assertEquals(((Number) e).floatValue(), got.getFloat());
    }
  }

  @Test
  void int64RoundTripsBitExactly() throws Exception {
    byte[] data = longs(Long.MIN_VALUE, 0, Long.MAX_VALUE, -1, 42, 7);
    Reply r = send("identity_int64", new JsonObject()
        .put("inputs", new JsonArray().add(binaryInput("INPUT0", "INT64", new long[] {2, 3}, 48)))
        .put("parameters", allBinary()), data);
    assertEquals(200, r.status(), r.json().encode());
    assertEquals(new JsonArray().add(2).add(3), r.json().getJsonArray("outputs").getJsonObject(0).getJsonArray("shape"));
    assertArrayEquals(data, r.output(0));
  }

  @Test
  void bytesRoundTripWithTheirLengthPrefixes() throws Exception {
    byte[] data = BytesElements.encodeStrings(List.of("hello", "", "Grüße ✓"));
    Reply r = send("identity_string", new JsonObject()
        .put("inputs", new JsonArray().add(binaryInput("INPUT0", "BYTES", new long[] {1, 3}, data.length)))
        .put("parameters", allBinary()), data);
    assertEquals(200, r.status(), r.json().encode());
    assertEquals("BYTES", r.json().getJsonArray("outputs").getJsonObject(0).getString("datatype"));
    assertArrayEquals(data, r.output(0));
  }

  @Test
  void binaryAndJsonInputsMixInOneRequest() throws Exception {
    int[] a = new int[16];
    for (int i = 0; i < 16; i++) {
      a[i] = i * 3;
    }
    JsonArray ones = new JsonArray();
    for (int i = 0; i < 16; i++) {
      ones.add(1);
    }
    Reply r = send("simple", new JsonObject().put("inputs", new JsonArray()
        .add(new JsonObject().put("name", "INPUT1").put("datatype", "INT32").put("shape", new JsonArray().add(1).add(16))
            .put("data", ones))
        .add(binaryInput("INPUT0", "INT32", new long[] {1, 16}, 64))), ints(a));
    assertEquals(200, r.status(), r.json().encode());
    assertEquals("application/json", r.contentType(), "no output asked for as binary: a plain JSON answer");
    JsonArray sum = r.json().getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    for (int i = 0; i < 16; i++) {
      assertEquals(i * 3 + 1, sum.getInteger(i));
    }
  }

  @Test
  void binaryOutputsAskedPerOutputLeaveTheOthersInJson() throws Exception {
    JsonObject header = simpleJsonRequest().put("outputs", new JsonArray()
        .add(new JsonObject().put("name", "OUTPUT0"))
        .add(new JsonObject().put("name", "OUTPUT1").put("parameters", new JsonObject().put("binary_data", true))));
    Reply r = send("simple", header, new byte[0]);
    assertEquals(200, r.status(), r.json().encode());
    JsonArray outputs = r.json().getJsonArray("outputs");
    assertEquals(16, outputs.getJsonObject(0).getJsonArray("data").size());
    assertEquals(64, outputs.getJsonObject(1).getJsonObject("parameters").getInteger("binary_data_size"));
    assertArrayEquals(ints(-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14), r.output(1));
  }

  @Test
  void binaryDataOutputAppliesToEveryOutputUnlessOneSaysOtherwise() throws Exception {
    Reply all = send("simple", simpleJsonRequest().put("parameters", allBinary()), new byte[0]);
    assertEquals(200, all.status(), all.json().encode());
    assertArrayEquals(ints(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), all.output(0));
    assertArrayEquals(ints(-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14), all.output(1));
    assertEquals(128, all.binary().length);

    Reply overridden = send("simple", simpleJsonRequest().put("parameters", allBinary())
        .put("outputs", new JsonArray()
            .add(new JsonObject().put("name", "OUTPUT0").put("parameters", new JsonObject().put("binary_data", false)))
            .add(new JsonObject().put("name", "OUTPUT1"))), new byte[0]);
    JsonArray outputs = overridden.json().getJsonArray("outputs");
    assertTrue(outputs.getJsonObject(0).containsKey("data"), outputs.encode());
    assertEquals(64, outputs.getJsonObject(1).getJsonObject("parameters").getInteger("binary_data_size"));
  }

  @Test
  void serverMetadataAdvertisesTheExtension() throws Exception {
    assertTrue(RunningNode.json(node.get("/v2")).getJsonArray("extensions").contains("binary_tensor_data"));
  }

  static JsonObject simpleJsonRequest() {
    JsonArray a = new JsonArray();
    JsonArray b = new JsonArray();
    for (int i = 0; i < 16; i++) {
      a.add(i);
      b.add(1);
    }
    return new JsonObject().put("inputs", new JsonArray()
        .add(new JsonObject().put("name", "INPUT0").put("datatype", "INT32").put("shape", new JsonArray().add(1).add(16)).put("data", a))
        .add(new JsonObject().put("name", "INPUT1").put("datatype", "INT32").put("shape", new JsonArray().add(1).add(16)).put("data", b)));
  }

  @AfterEach
  void nodeStillServesAGoodBinaryRequest() throws Exception {
    Reply r = send("identity_int64", new JsonObject()
        .put("inputs", new JsonArray().add(binaryInput("INPUT0", "INT64", new long[] {1, 3}, 24))), longs(1, 2, 3));
    assertEquals(200, r.status(), r.json().encode());
  }

  static byte[] body(JsonObject header, byte[] binary) {
    return Buffer.buffer(header.encode()).appendBytes(binary).getBytes();
  }

  static Stream<Arguments> malformedBodies() {
    JsonObject int64Request = new JsonObject().put("inputs", new JsonArray().add(binaryInput("INPUT0", "INT64", new long[] {1, 3}, 24)));
    byte[] good = body(int64Request, longs(1, 2, 3));
    byte[] twoStrings = BytesElements.encodeStrings(List.of("ab", "cd", "ef"));
    byte[] overrun = twoStrings.clone();
    overrun[6] = 100; // the second element's length prefix now runs past the tensor's bytes
    JsonObject strings = new JsonObject().put("inputs",
        new JsonArray().add(binaryInput("INPUT0", "BYTES", new long[] {1, 3}, twoStrings.length)));
    JsonObject undeclared = new JsonObject().put("inputs", new JsonArray().add(binaryInput("INPUT0", "INT64", new long[] {1, 3}, 24)));
    return Stream.of(
        Arguments.of("header length larger than the body", "identity_int64", good, Integer.toString(good.length + 1),
            "Inference-Header-Content-Length " + (good.length + 1) + " is larger than the " + good.length + "-byte body"),
        Arguments.of("header length not a number", "identity_int64", good, "lots", "'lots' is not a byte count"),
        Arguments.of("negative header length", "identity_int64", good, "-5", "is not a byte count"),
        Arguments.of("header length cutting the JSON", "identity_int64", good, "10", "malformed JSON"),
        Arguments.of("binary_data_size not matching the shape", "identity_int64",
            body(new JsonObject().put("inputs", new JsonArray().add(binaryInput("INPUT0", "INT64", new long[] {1, 3}, 16))),
                longs(1, 2)), null, "binary_data_size 16 does not match shape [1, 3] of INT64 (24 bytes)"),
        Arguments.of("more binary data than declared", "identity_int64", body(int64Request, longs(1, 2, 3, 4)), null,
            "add up to 24 bytes, but 32 bytes of binary data follow"),
        Arguments.of("less binary data than declared", "identity_int64", body(int64Request, longs(1, 2)), null,
            "add up to 24 bytes, but 16 bytes of binary data follow"),
        Arguments.of("binary inputs without the header", "identity_int64", body(undeclared, longs(1, 2, 3)), "none",
            "binary tensor data after the JSON needs the Inference-Header-Content-Length header"),
        Arguments.of("binary_data_size without any binary data", "identity_int64", body(undeclared, new byte[0]), "none",
            "the request has no Inference-Header-Content-Length header"),
        Arguments.of("BYTES length prefix past its tensor", "identity_string", body(strings, overrun), null,
            "BYTES element 1's length prefix 100 runs past the end of its 18 bytes"),
        Arguments.of("BYTES count not matching the shape", "identity_string",
            body(new JsonObject().put("inputs", new JsonArray().add(binaryInput("INPUT0", "BYTES", new long[] {1, 3}, 12))),
                BytesElements.encodeStrings(List.of("ab", "cd"))), null,
            "shape [1, 3] needs 3 BYTES elements, its binary data holds 2"),
        Arguments.of("binary_data_size at the int64 maximum", "simple",
            body(new JsonObject().put("inputs", new JsonArray()
                .add(binaryInput("INPUT0", "INT32", new long[] {1, 16}, 64).put("parameters",
                    new JsonObject().put("binary_data_size", Long.MAX_VALUE)))
                .add(binaryInput("INPUT1", "INT32", new long[] {1, 16}, 64).put("parameters",
                    new JsonObject().put("binary_data_size", Long.MAX_VALUE)))), new byte[128]), null,
            "add up to " + Long.MAX_VALUE + " bytes, but 128 bytes"),
        Arguments.of("negative binary_data_size", "identity_int64",
            body(new JsonObject().put("inputs", new JsonArray().add(binaryInput("INPUT0", "INT64", new long[] {1, 3}, -24))),
                new byte[0]), null, "binary_data_size must be a non-negative integer"),
        Arguments.of("both data and binary_data_size", "identity_int64",
            body(new JsonObject().put("inputs", new JsonArray().add(binaryInput("INPUT0", "INT64", new long[] {1, 3}, 24)
                .put("data", new JsonArray().add(1).add(2).add(3)))), longs(1, 2, 3)), null, "both 'data' and"),
        Arguments.of("binary_data not a boolean", "identity_int64",
            body(int64Request.copy().put("outputs", new JsonArray().add(new JsonObject().put("name", "OUTPUT0")
                .put("parameters", new JsonObject().put("binary_data", "yes")))), longs(1, 2, 3)), null,
            "binary_data must be true or false"))
        .map(a -> {
          Object[] args = a.get();
          // null: the header length is the JSON's own; "none": no header at all
          if (args[3] == null) {
            byte[] b = (byte[]) args[2];
            args[3] = Integer.toString(jsonLength(b));
          } else if (args[3].equals("none")) {
            args[3] = null;
          }
          return Arguments.of(args);
        });
  }

  /** The length of the JSON object a test body starts with (its closing brace is the first '}' at depth 0). */
  static int jsonLength(byte[] body) {
    int depth = 0;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '{') {
        depth++;
      } else if (body[i] == '}' && --depth == 0) {
        return i + 1;
      }
    }
    throw new IllegalArgumentException("no JSON object");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedBodies")
  void malformedBinaryBodyIsABadRequestThatNamesTheProblem(String what, String model, byte[] body, String headerLength,
      String message) throws Exception {
    Reply r = send(model, body, headerLength);
    assertEquals(400, r.status(), r.json().encode());
    assertTrue(r.json().getString("error").contains(message), "expected '" + message + "' in " + r.json().encode());
    assertEquals("INVALID_ARGUMENT", r.errorCode());
    assertEquals(java.util.Set.of("error"), r.json().fieldNames(), "KServe's error body: " + r.json().encode());
  }
}
