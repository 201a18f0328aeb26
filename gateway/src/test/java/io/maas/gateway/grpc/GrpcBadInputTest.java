package io.maas.gateway.grpc;

import static io.maas.gateway.grpc.GrpcClient.filled;
import static io.maas.gateway.grpc.GrpcClient.input;
import static io.maas.gateway.grpc.GrpcClient.ints;
import static io.maas.gateway.grpc.GrpcClient.leInts;
import static io.maas.gateway.grpc.GrpcClient.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import io.maas.gateway.TestRepository;
import io.maas.gateway.grpc.v2.InferParameter;
import io.maas.gateway.grpc.v2.InferTensorContents;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelMetadataRequest;
import io.maas.gateway.grpc.v2.ModelReadyRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input on the gRPC edge: each mistake gets its proper status code and a message that names it, never
 * UNKNOWN or INTERNAL, and the node keeps serving afterwards.
 */
@ExtendWith(SharedNode.class)
class GrpcBadInputTest {
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

  @AfterEach
  void nodeKeepsServing() {
    assertEquals(ints(range(1, 16)), client.blocking().modelInfer(GrpcClient.simpleTyped("ok")).getOutputs(0).getContents());
  }

  static ModelInferRequest.Builder simple() {
    return ModelInferRequest.newBuilder().setModelName("simple");
  }

  static ModelInferRequest.Builder identity(String model) {
    return ModelInferRequest.newBuilder().setModelName(model);
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("raw length does not fit the shape", simple()
            .addInputs(input("INPUT0", "INT32", 1, 16)).addInputs(input("INPUT1", "INT32", 1, 16))
            .addRawInputContents(leInts(range(0, 15))).addRawInputContents(leInts(filled(1, 16))),
            Status.Code.INVALID_ARGUMENT, "raw_input_contents holds 60 bytes; shape [1, 16] of INT32 needs 64"),
        Arguments.of("typed element count does not fit the shape", simple()
            .addInputs(input("INPUT0", "INT32", 1, 16).setContents(ints(range(0, 15))))
            .addInputs(input("INPUT1", "INT32", 1, 16).setContents(ints(filled(1, 16)))),
            Status.Code.INVALID_ARGUMENT, "shape [1, 16] needs 16 values, got 15 in int_contents"),
        Arguments.of("no data at all", simple()
            .addInputs(input("INPUT0", "INT32", 1, 16)).addInputs(input("INPUT1", "INT32", 1, 16)),
            Status.Code.INVALID_ARGUMENT, "needs 16 values, got 0"),
        Arguments.of("unknown datatype", simple()
            .addInputs(input("INPUT0", "INT33", 1, 16).setContents(ints(range(0, 16)))),
            Status.Code.INVALID_ARGUMENT, "input 'INPUT0': unsupported datatype 'INT33'"),
        Arguments.of("contents of the wrong type", simple()
            .addInputs(input("INPUT0", "INT32", 1, 2).setContents(InferTensorContents.newBuilder()
                .addFp32Contents(1f).addFp32Contents(2f))),
            Status.Code.INVALID_ARGUMENT, "carries fp32_contents; INT32 values go in int_contents"),
        Arguments.of("raw and typed inputs mixed", simple()
            .addInputs(input("INPUT0", "INT32", 1, 16).setContents(ints(range(0, 16))))
            .addInputs(input("INPUT1", "INT32", 1, 16))
            .addRawInputContents(leInts(range(0, 16))).addRawInputContents(leInts(filled(1, 16))),
            Status.Code.INVALID_ARGUMENT, "send every input raw or every input typed"),
        Arguments.of("fewer raw contents than inputs", simple()
            .addInputs(input("INPUT0", "INT32", 1, 16)).addInputs(input("INPUT1", "INT32", 1, 16))
            .addRawInputContents(leInts(range(0, 16))),
            Status.Code.INVALID_ARGUMENT, "raw_input_contents has 1 entries for 2 inputs"),
        Arguments.of("BYTES length prefix past the end", identity("identity_string")
            .addInputs(input("INPUT0", "BYTES", 1, 1)).addRawInputContents(rawBytesElement(100, "abc")),
            Status.Code.INVALID_ARGUMENT, "raw BYTES contents are malformed"),
        Arguments.of("INT8 value out of range", identity("identity_int8")
            .addInputs(input("INPUT0", "INT8", 1, 3).setContents(ints(1, 300, 2))),
            Status.Code.INVALID_ARGUMENT, "value 300 at index 1 is out of range for INT8"),
        Arguments.of("FP16 sent typed", identity("identity_float16")
            .addInputs(input("INPUT0", "FP16", 1, 2).setContents(InferTensorContents.newBuilder()
                .addFp32Contents(1f).addFp32Contents(2f))),
            Status.Code.INVALID_ARGUMENT, "FP16 data must be sent in raw_input_contents"),
        Arguments.of("negative dimension", simple()
            .addInputs(input("INPUT0", "INT32", 1, -16)),
            Status.Code.INVALID_ARGUMENT, "must hold non-negative integers"),
        Arguments.of("more elements than the limit", simple()
            .addInputs(input("INPUT0", "INT32", 1, 1 << 21)),
            Status.Code.INVALID_ARGUMENT, "2097152 elements is over the limit of 1048576"),
        Arguments.of("wrong input name (the worker's check)", simple()
            .addInputs(input("NOPE", "INT32", 1, 16).setContents(ints(range(0, 16))))
            .addInputs(input("INPUT1", "INT32", 1, 16).setContents(ints(filled(1, 16)))),
            Status.Code.INVALID_ARGUMENT, "NOPE"),
        Arguments.of("parameter without a value", simple()
            .putParameters("empty", InferParameter.getDefaultInstance()),
            Status.Code.INVALID_ARGUMENT, "parameter 'empty' of the request has no value"),
        Arguments.of("no model name", ModelInferRequest.newBuilder(),
            Status.Code.INVALID_ARGUMENT, "the model name is empty"),
        Arguments.of("version that is neither a number nor a label", simple().setModelVersion("1.5"),
            Status.Code.INVALID_ARGUMENT, "version '1.5' is neither a version number nor a version label"),
        Arguments.of("version label the model does not have", simple().setModelVersion("latest"),
            Status.Code.NOT_FOUND, "unknown version label 'latest' of model 'simple'; labels: []"),
        Arguments.of("unknown model", ModelInferRequest.newBuilder().setModelName("nope"),
            Status.Code.NOT_FOUND, "unknown model 'nope'"),
        Arguments.of("unknown version", simple().setModelVersion("7"),
            Status.Code.NOT_FOUND, "unknown version 7 of model 'simple'"),
        Arguments.of("a model that is not ready", identity("identity_uint32")
            .addInputs(input("INPUT0", "INT64", 1, 3)),
            Status.Code.UNAVAILABLE, "not ready"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badInferRequestGetsItsStatus(String what, ModelInferRequest.Builder request, Status.Code code, String message) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.blocking().modelInfer(request.build()));
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
  }

  @Test
  void malformedProtobufIsInvalidArgument() {
    byte[] truncated = {0x0a, 0x10, 's'}; // model_name: 16 bytes announced, 1 sent
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.rawUnary("ModelInfer", truncated));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().startsWith("malformed protobuf message"), e.getStatus().getDescription());
    // a field of the wrong wire type: shape (3) sent as a fixed64 inside an input
    byte[] wrongWireType = ModelInferRequest.newBuilder().setModelName("simple").build().toByteArray();
    byte[] badInput = {0x2a, 0x09, 0x19, 1, 2, 3, 4, 5, 6, 7, 8};
    byte[] message = new byte[wrongWireType.length + badInput.length];
    System.arraycopy(wrongWireType, 0, message, 0, wrongWireType.length);
    System.arraycopy(badInput, 0, message, wrongWireType.length, badInput.length);
    StatusRuntimeException e2 = assertThrows(StatusRuntimeException.class, () -> client.rawUnary("ModelInfer", message));
    assertEquals(Status.Code.INVALID_ARGUMENT, e2.getStatus().getCode(), e2.getStatus().toString());
  }

  @Test
  void messageOverTheSizeLimitIsResourceExhausted() {
    ModelInferRequest big = identity("identity_uint8")
        .addInputs(input("INPUT0", "UINT8", 1, 3))
        .addRawInputContents(ByteString.copyFrom(new byte[(int) RunningNode.MAX_BODY_BYTES + 1]))
        .build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.blocking().modelInfer(big));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
  }

  @Test
  void metadataOfUnknownModelsAndVersionsIsNotFound() {
    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
        () -> client.blocking().modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    StatusRuntimeException version = assertThrows(StatusRuntimeException.class,
        () -> client.blocking().modelReady(ModelReadyRequest.newBuilder().setName("simple").setVersion("9").build()));
    assertEquals(Status.Code.NOT_FOUND, version.getStatus().getCode());
    StatusRuntimeException notReady = assertThrows(StatusRuntimeException.class,
        () -> client.blocking().modelMetadata(ModelMetadataRequest.newBuilder().setName("broken").build()));
    assertEquals(Status.Code.UNAVAILABLE, notReady.getStatus().getCode(), notReady.getStatus().toString());
  }

  private static ByteString rawBytesElement(int announcedLength, String text) {
    byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + utf8.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(announcedLength).put(utf8);
    return ByteString.copyFrom(b.array());
  }

  /** A model name of 8 KB is echoed in the error, cut short so the trailer fits: NOT_FOUND, not a reset stream. */
  @org.junit.jupiter.api.Test
  void aHugeUnknownModelNameIsNotFoundWithAShortenedMessage() {
    String name = "m".repeat(8000);
    io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
        () -> client.blocking().modelInfer(identity(name).build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), e.toString());
    org.junit.jupiter.api.Assertions.assertTrue(e.getStatus().getDescription().endsWith("characters)"),
        e.getStatus().getDescription().substring(0, 40));
    io.grpc.StatusRuntimeException meta = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
        () -> client.blocking().modelMetadata(io.maas.gateway.grpc.v2.ModelMetadataRequest.newBuilder().setName(name).build()));
    assertEquals(Status.Code.NOT_FOUND, meta.getStatus().getCode(), meta.toString());
  }
}
