package io.maas.gateway.grpc;

import static io.maas.gateway.grpc.GrpcClient.filled;
import static io.maas.gateway.grpc.GrpcClient.input;
import static io.maas.gateway.grpc.GrpcClient.ints;
import static io.maas.gateway.grpc.GrpcClient.leInts;
import static io.maas.gateway.grpc.GrpcClient.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import io.maas.gateway.TestRepository;
import io.maas.gateway.grpc.v2.InferTensorContents;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.maas.gateway.grpc.v2.ModelMetadataRequest;
import io.maas.gateway.grpc.v2.ModelMetadataResponse;
import io.maas.gateway.grpc.v2.ModelReadyRequest;
import io.maas.gateway.grpc.v2.ModelStreamInferResponse;
import io.maas.gateway.grpc.v2.ServerLiveRequest;
import io.maas.gateway.grpc.v2.ServerMetadataRequest;
import io.maas.gateway.grpc.v2.ServerMetadataResponse;
import io.maas.gateway.grpc.v2.ServerReadyRequest;
import io.maas.worker.onnx.ElemType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** KServe V2 gRPC against a real standalone node, through a plain grpc-java client: every RPC, real inference. */
@ExtendWith(SharedNode.class)
class GrpcInferenceTest {
  static RunningNode node;
  static GrpcClient client;

  @BeforeAll
  static void start(RunningNode shared) throws Exception {
    node = shared;
    client = new GrpcClient(node.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void serverLiveReadyAndMetadata() {
    assertTrue(client.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(client.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    ServerMetadataResponse meta = client.blocking().serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertEquals("maas", meta.getName());
    assertFalse(meta.getVersion().isEmpty());
    assertTrue(meta.getExtensionsList().contains("parameters"), meta.toString());
  }

  @Test
  void modelMetadataAndReadinessComeFromTheRegistry() {
    ModelMetadataResponse meta = client.blocking().modelMetadata(ModelMetadataRequest.newBuilder().setName("simple").build());
    assertEquals("simple", meta.getName());
    assertEquals(List.of("1"), meta.getVersionsList());
    assertEquals("onnxruntime_onnx", meta.getPlatform());
    assertEquals(List.of("INPUT0", "INPUT1"), meta.getInputsList().stream().map(t -> t.getName()).toList());
    assertEquals("INT32", meta.getInputs(0).getDatatype());
    assertEquals(List.of(-1L, 16L), meta.getInputs(0).getShapeList());
    assertEquals(List.of("OUTPUT0", "OUTPUT1"), meta.getOutputsList().stream().map(t -> t.getName()).toList());

    ModelMetadataResponse v1 = client.blocking().modelMetadata(
        ModelMetadataRequest.newBuilder().setName("versioned").setVersion("1").build());
    assertEquals(List.of("1", "2"), v1.getVersionsList());

    assertTrue(client.blocking().modelReady(ModelReadyRequest.newBuilder().setName("simple").build()).getReady());
    assertTrue(client.blocking().modelReady(ModelReadyRequest.newBuilder().setName("versioned").setVersion("2").build())
        .getReady());
    // loaded, but ONNX Runtime's Java API cannot feed it: known, not ready
    assertFalse(client.blocking().modelReady(ModelReadyRequest.newBuilder().setName("identity_uint32").build())
        .getReady());
  }

  @Test
  void simpleTypedReturnsExactSumAndDifferenceAsTypedContents() {
    ModelInferResponse r = client.blocking().modelInfer(GrpcClient.simpleTyped("req-7"));
    assertEquals("simple", r.getModelName());
    assertEquals("1", r.getModelVersion());
    assertEquals("req-7", r.getId());
    assertEquals(0, r.getRawOutputContentsCount());
    assertEquals(List.of("OUTPUT0", "OUTPUT1"), r.getOutputsList().stream().map(o -> o.getName()).toList());
    assertEquals("INT32", r.getOutputs(0).getDatatype());
    assertEquals(List.of(1L, 16L), r.getOutputs(0).getShapeList());
    assertEquals(ints(range(1, 16)), r.getOutputs(0).getContents());
    assertEquals(ints(range(-1, 16)), r.getOutputs(1).getContents());
  }

  @Test
  void simpleRawAnswersRawWithTheSameNumbersAsTyped() {
    ModelInferResponse raw = client.blocking().modelInfer(GrpcClient.simpleRaw("raw"));
    ModelInferResponse typed = client.blocking().modelInfer(GrpcClient.simpleTyped("raw"));
    assertEquals(2, raw.getRawOutputContentsCount());
    assertFalse(raw.getOutputs(0).hasContents());
    assertEquals(leInts(range(1, 16)), raw.getRawOutputContents(0));
    assertEquals(leInts(range(-1, 16)), raw.getRawOutputContents(1));
    for (int i = 0; i < 2; i++) {
      assertEquals(leInts(typed.getOutputs(i).getContents().getIntContentsList().stream().mapToInt(x -> x).toArray()),
          raw.getRawOutputContents(i));
      assertEquals(typed.getOutputs(i).getShapeList(), raw.getOutputs(i).getShapeList());
    }
  }

  @Test
  void requestedOutputsAreTheOnlyOnesReturned() {
    ModelInferRequest request = GrpcClient.simpleTyped("").toBuilder()
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("OUTPUT1"))
        .build();
    ModelInferResponse r = client.blocking().modelInfer(request);
    assertEquals(1, r.getOutputsCount());
    assertEquals("OUTPUT1", r.getOutputs(0).getName());
    assertEquals(ints(range(-1, 16)), r.getOutputs(0).getContents());
  }

  @Test
  void requestIdMetadataIsEchoedAndParametersAreAccepted() {
    Metadata headers = new Metadata();
    Metadata.Key<String> key = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    headers.put(key, "trace-42");
    AtomicReference<Metadata> answered = new AtomicReference<>();
    ModelInferRequest request = GrpcClient.simpleTyped("p").toBuilder()
        .putParameters("priority", io.maas.gateway.grpc.v2.InferParameter.newBuilder().setInt64Param(1).build())
        .build();
    ModelInferResponse r = client.blocking()
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers),
            MetadataUtils.newCaptureMetadataInterceptor(answered, new AtomicReference<>()))
        .modelInfer(request);
    assertEquals(ints(range(1, 16)), r.getOutputs(0).getContents());
    assertEquals("trace-42", answered.get().get(key));
  }

  @Test
  void miniLmTypedRawAndRestGiveIdenticalHiddenStates() throws Exception {
    long[] ids = {101, 7592, 2088, 102};
    ModelInferRequest.Builder typed = ModelInferRequest.newBuilder().setModelName("all-minilm-l6-v2");
    ModelInferRequest.Builder raw = ModelInferRequest.newBuilder().setModelName("all-minilm-l6-v2");
    JsonArray restInputs = new JsonArray();
    for (String name : List.of("input_ids", "attention_mask", "token_type_ids")) {
      long[] values = name.equals("input_ids") ? ids : name.equals("attention_mask") ? new long[] {1, 1, 1, 1} : new long[4];
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      JsonArray data = new JsonArray();
      for (long v : values) {
        c.addInt64Contents(v);
        b.putLong(v);
        data.add(v);
      }
      typed.addInputs(input(name, "INT64", 1, values.length).setContents(c));
      raw.addInputs(input(name, "INT64", 1, values.length)).addRawInputContents(ByteString.copyFrom(b.array()));
      restInputs.add(new JsonObject().put("name", name).put("datatype", "INT64")
          .put("shape", new JsonArray().add(1).add(values.length)).put("data", data));
    }
    ModelInferResponse t = client.blocking().modelInfer(typed.build());
    ModelInferResponse r = client.blocking().modelInfer(raw.build());
    assertEquals("last_hidden_state", t.getOutputs(0).getName());
    assertEquals(List.of(1L, 4L, 384L), t.getOutputs(0).getShapeList());
    List<Float> typedValues = t.getOutputs(0).getContents().getFp32ContentsList();
    assertEquals(4 * 384, typedValues.size());

    ByteBuffer rawValues = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(4 * 384 * 4, rawValues.remaining());
    JsonArray rest = RunningNode.json(node.post("/v2/models/all-minilm-l6-v2/infer",
        new JsonObject().put("inputs", restInputs).encode())).getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    for (int i = 0; i < typedValues.size(); i++) {
      float v = typedValues.get(i);
      assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(rawValues.getFloat()), "element " + i);
      assertEquals(v, ((Number) rest.getValue(i)).floatValue(), "element " + i);
    }
    assertEquals(0.179f, typedValues.get(0), 5e-4f);
  }

  /** One sample per feedable datatype: typed contents and the same values as raw little-endian bytes. */
  record Sample(String datatype, InferTensorContents typed, ByteString raw) {}

  @Test
  void textModelTakesBytesStringsOverGrpcAndAnswersTheRestEmbedding() throws Exception {
    List<String> texts = List.of("hello world", "A man is eating food.");
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    texts.forEach(t -> contents.addBytesContents(ByteString.copyFromUtf8(t)));
    ModelInferResponse r = client.blocking().modelInfer(ModelInferRequest.newBuilder()
        .setModelName("all-minilm-l6-v2")
        .addInputs(input("text", "BYTES", texts.size()).setContents(contents))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("embedding"))
        .build());
    assertEquals(1, r.getOutputsCount());
    assertEquals("embedding", r.getOutputs(0).getName());
    assertEquals(List.of(2L, 384L), r.getOutputs(0).getShapeList());
    assertTrue(r.getParametersMap().get("prompt_tokens").getInt64Param() > 0, r.getParametersMap().toString());
    List<Float> grpc = r.getOutputs(0).getContents().getFp32ContentsList();

    JsonObject body = new JsonObject()
        .put("inputs", new JsonArray().add(new JsonObject().put("name", "text").put("datatype", "BYTES")
            .put("shape", new JsonArray().add(texts.size())).put("data", new JsonArray(texts))))
        .put("outputs", new JsonArray().add(new JsonObject().put("name", "embedding")));
    JsonArray rest = RunningNode.json(node.post("/v2/models/all-minilm-l6-v2/infer", body.encode()))
        .getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    assertEquals(rest.size(), grpc.size());
    for (int i = 0; i < grpc.size(); i++) {
      assertEquals(((Number) rest.getValue(i)).floatValue(), grpc.get(i), "element " + i);
    }
  }

  static List<Sample> samples() {
    List<Sample> s = new ArrayList<>();
    s.add(new Sample("BOOL", InferTensorContents.newBuilder().addBoolContents(true).addBoolContents(false)
        .addBoolContents(true).build(), bytes(1, 0, 1)));
    s.add(new Sample("UINT8", InferTensorContents.newBuilder().addUintContents(0).addUintContents(128)
        .addUintContents(255).build(), bytes(0, 128, 255)));
    s.add(new Sample("INT8", ints(-128, 0, 127), bytes(0x80, 0, 0x7f)));
    s.add(new Sample("INT16", ints(-32768, 7, 32767), le(b -> b.putShort((short) -32768).putShort((short) 7)
        .putShort((short) 32767), 6)));
    s.add(new Sample("INT32", ints(Integer.MIN_VALUE, 0, Integer.MAX_VALUE), leInts(Integer.MIN_VALUE, 0, Integer.MAX_VALUE)));
    s.add(new Sample("INT64", InferTensorContents.newBuilder().addInt64Contents(Long.MIN_VALUE).addInt64Contents(0)
        .addInt64Contents(Long.MAX_VALUE).build(), le(b -> b.putLong(Long.MIN_VALUE).putLong(0).putLong(Long.MAX_VALUE), 24)));
    s.add(new Sample("FP32", InferTensorContents.newBuilder().addFp32Contents(0.1f).addFp32Contents(-3.5f)
        .addFp32Contents(1e30f).build(), le(b -> b.putFloat(0.1f).putFloat(-3.5f).putFloat(1e30f), 12)));
    s.add(new Sample("FP64", InferTensorContents.newBuilder().addFp64Contents(0.1).addFp64Contents(-2.5e300)
        .addFp64Contents(Math.PI).build(), le(b -> b.putDouble(0.1).putDouble(-2.5e300).putDouble(Math.PI), 24)));
    List<String> strings = List.of("hello", "", "Grüße ✓");
    InferTensorContents.Builder text = InferTensorContents.newBuilder();
    ByteBuffer prefixed = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    for (String str : strings) {
      byte[] utf8 = str.getBytes(StandardCharsets.UTF_8);
      text.addBytesContents(ByteString.copyFrom(utf8));
      prefixed.putInt(utf8.length).put(utf8);
    }
    s.add(new Sample("BYTES", text.build(), ByteString.copyFrom(prefixed.array(), 0, prefixed.position())));
    return s;
  }

  static String modelFor(String datatype) {
    ElemType t = switch (datatype) {
      case "FP32" -> ElemType.FLOAT;
      case "FP64" -> ElemType.DOUBLE;
      case "FP16" -> ElemType.FLOAT16;
      case "BYTES" -> ElemType.STRING;
      default -> ElemType.valueOf(datatype);
    };
    return "identity_" + t.name().toLowerCase();
  }

  @Test
  void everyFeedableDatatypeRoundTripsTypedAndRawIdentically() {
    for (Sample s : samples()) {
      ModelInferResponse typed = client.blocking().modelInfer(ModelInferRequest.newBuilder()
          .setModelName(modelFor(s.datatype()))
          .addInputs(input("INPUT0", s.datatype(), 1, 3).setContents(s.typed()))
          .build());
      assertEquals(s.datatype(), typed.getOutputs(0).getDatatype(), s.datatype());
      assertEquals(List.of(1L, 3L), typed.getOutputs(0).getShapeList(), s.datatype());
      assertEquals(s.typed(), typed.getOutputs(0).getContents(), s.datatype());

      ModelInferResponse raw = client.blocking().modelInfer(ModelInferRequest.newBuilder()
          .setModelName(modelFor(s.datatype()))
          .addInputs(input("INPUT0", s.datatype(), 1, 3))
          .addRawInputContents(s.raw())
          .build());
      assertEquals(s.datatype(), raw.getOutputs(0).getDatatype(), s.datatype());
      assertEquals(s.raw(), raw.getRawOutputContents(0), s.datatype());
    }
  }

  @Test
  void fp16TravelsRawBothWays() {
    // 1.5, -0.25, 65504 (the largest half)
    ByteString halves = le(b -> b.putShort((short) 0x3e00).putShort((short) 0xb400).putShort((short) 0x7bff), 6);
    ModelInferResponse r = client.blocking().modelInfer(ModelInferRequest.newBuilder()
        .setModelName("identity_float16")
        .addInputs(input("INPUT0", "FP16", 1, 3))
        .addRawInputContents(halves)
        .build());
    assertEquals("FP16", r.getOutputs(0).getDatatype());
    assertEquals(halves, r.getRawOutputContents(0));
  }

  @Test
  void unsignedOutputsComeBackTypedWithTheirFullRange() {
    long[][] inputs = {{0, 65535, 7}, {0, 4294967295L, 7}, {0, -1, 7}};
    String[] models = {"cast_to_uint16", "cast_to_uint32", "cast_to_uint64"};
    InferTensorContents[] expected = {
        InferTensorContents.newBuilder().addUintContents(0).addUintContents(65535).addUintContents(7).build(),
        InferTensorContents.newBuilder().addUintContents(0).addUintContents(-1).addUintContents(7).build(), // 2^32-1
        InferTensorContents.newBuilder().addUint64Contents(0).addUint64Contents(-1L).addUint64Contents(7).build()};
    for (int i = 0; i < models.length; i++) {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      for (long v : inputs[i]) {
        c.addInt64Contents(v);
      }
      ModelInferResponse r = client.blocking().modelInfer(ModelInferRequest.newBuilder()
          .setModelName(models[i])
          .addInputs(input("INPUT0", "INT64", 1, 3).setContents(c))
          .build());
      assertEquals(expected[i], r.getOutputs(0).getContents(), models[i]);
    }
  }

  @Test
  void streamAnswersEveryRequestInOrderAndABadOneDoesNotEndIt() throws Exception {
    ModelInferRequest badShape = ModelInferRequest.newBuilder().setModelName("simple").setId("bad")
        .addInputs(input("INPUT0", "INT32", 1, 16).setContents(ints(range(0, 15))))
        .addInputs(input("INPUT1", "INT32", 1, 16).setContents(ints(filled(1, 16))))
        .build();
    ModelInferRequest unknown = GrpcClient.simpleTyped("unknown").toBuilder().setModelName("nope").build();
    List<ModelStreamInferResponse> responses = client.stream(List.of(
        GrpcClient.simpleTyped("a"), badShape, unknown, GrpcClient.simpleRaw("b")));
    assertEquals(4, responses.size());
    assertEquals("", responses.get(0).getErrorMessage());
    assertEquals("a", responses.get(0).getInferResponse().getId());
    assertEquals(ints(range(1, 16)), responses.get(0).getInferResponse().getOutputs(0).getContents());
    assertTrue(responses.get(1).getErrorMessage().contains("needs 16 values, got 15"), responses.get(1).toString());
    assertEquals("bad", responses.get(1).getInferResponse().getId());
    assertTrue(responses.get(2).getErrorMessage().contains("unknown model 'nope'"), responses.get(2).toString());
    assertEquals("", responses.get(3).getErrorMessage());
    assertEquals(leInts(range(1, 16)), responses.get(3).getInferResponse().getRawOutputContents(0));
  }

  @Test
  void streamKeepsOrderBeyondItsInFlightLimit() throws Exception {
    int n = StreamInferCall.MAX_IN_FLIGHT * 3;
    List<ModelInferRequest> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(ModelInferRequest.newBuilder().setModelName("simple").setId("r" + i)
          .addInputs(input("INPUT0", "INT32", 1, 16).setContents(ints(filled(i, 16))))
          .addInputs(input("INPUT1", "INT32", 1, 16).setContents(ints(filled(1, 16))))
          .build());
    }
    List<ModelStreamInferResponse> responses = client.stream(requests);
    assertEquals(n, responses.size());
    for (int i = 0; i < n; i++) {
      ModelInferResponse r = responses.get(i).getInferResponse();
      assertEquals("r" + i, r.getId());
      assertEquals(ints(filled(i + 1, 16)), r.getOutputs(0).getContents());
    }
  }

  @Test
  void malformedMessageInAStreamGetsAnErrorAndTheStreamGoesOn() throws Exception {
    byte[] truncated = {0x0a, 0x10, 's'}; // model_name: 16 bytes announced, 1 sent
    List<ModelStreamInferResponse> responses = client.rawStream(
        List.of(truncated, GrpcClient.simpleTyped("after").toByteArray()));
    assertEquals(2, responses.size());
    assertTrue(responses.get(0).getErrorMessage().startsWith("malformed protobuf message"), responses.get(0).toString());
    assertEquals("after", responses.get(1).getInferResponse().getId());
    assertEquals(ints(range(1, 16)), responses.get(1).getInferResponse().getOutputs(0).getContents());
  }

  @Test
  void healthServiceReportsServing() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(client.channel)
        .withDeadlineAfter(GrpcClient.DEADLINE_SECONDS, TimeUnit.SECONDS);
    assertEquals(HealthCheckResponse.ServingStatus.SERVING,
        health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING,
        health.check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build()).getStatus());
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> health.check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  static ByteString bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteString.copyFrom(b);
  }

  static ByteString le(java.util.function.Consumer<ByteBuffer> fill, int size) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    fill.accept(b);
    return ByteString.copyFrom(b.array());
  }
}
