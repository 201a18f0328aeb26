package io.maas.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.maas.error.MaasException;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpcService;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.WireFormat;
import org.junit.jupiter.api.Test;

/** Infer requests decoded with raw_input_contents aliasing the payload: same message, tensors of their own. */
class AliasingDecodeTest {
  static final GrpcMessageDecoder<ModelInferRequest> DECODER =
      RequestMessages.aliasing(ModelInferRequest.parser(), GRPCInferenceServiceGrpcService.ModelInfer.decoder());

  static ModelInferRequest request() {
    byte[] raw = new byte[24];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) i;
    }
    return ModelInferRequest.newBuilder().setModelName("identity_int64").setId("r")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("INPUT0").setDatatype("INT64")
            .addShape(1).addShape(3))
        .addRawInputContents(ByteString.copyFrom(raw)).build();
  }

  @Test
  void aPayloadSliceDecodesToTheSameMessageAndItsTensorOwnsItsBytes() {
    ModelInferRequest expected = request();
    Buffer padded = Buffer.buffer("before").appendBytes(expected.toByteArray()).appendString("after");
    Buffer payload = padded.slice(6, 6 + expected.getSerializedSize());
    ModelInferRequest decoded =
        RequestMessages.decode(DECODER, GrpcMessage.message("identity", WireFormat.PROTOBUF, payload), 1 << 20);
    assertEquals(expected, decoded);
    Tensor t = InferMessages.decode(decoded, 1_000).inputs().get(0);
    padded.setByte(6 + expected.getSerializedSize() - 1, (byte) 99); // the payload changes after decoding...
    assertArrayEquals(expected.getRawInputContents(0).toByteArray(), t.data()); // ...the tensor does not
  }

  @Test
  void aMalformedPayloadIsInvalidArgument() {
    Buffer bad = Buffer.buffer(new byte[] {(byte) 0x0a, (byte) 0x7f, 1});
    MaasException e = assertThrows(MaasException.class,
        () -> RequestMessages.decode(DECODER, GrpcMessage.message("identity", WireFormat.PROTOBUF, bad), 1 << 20));
    assertTrue(e.getMessage().startsWith("malformed protobuf message"), e.getMessage());
  }
}
