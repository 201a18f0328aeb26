package io.maas.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import io.maas.gateway.grpc.v2.InferParameter;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The KServe {@code timeout} parameter (µs) over gRPC, and the header naming the serving worker. */
@ExtendWith(SharedNode.class)
class GrpcDeadlineTest {
  static GrpcClient client;

  @BeforeAll
  static void start(RunningNode shared) {
    client = new GrpcClient(shared.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
  }

  private static ModelInferRequest withTimeout(InferParameter timeout) {
    return GrpcClient.simpleTyped("t").toBuilder().putParameters("timeout", timeout).build();
  }

  @Test
  void aOneMicrosecondTimeoutIsDeadlineExceeded() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> client.blocking().modelInfer(withTimeout(InferParameter.newBuilder().setInt64Param(1).build())));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getMessage());
  }

  @Test
  void aTimeoutThatIsNotAnIntegerIsInvalidArgument() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> client.blocking().modelInfer(withTimeout(InferParameter.newBuilder().setStringParam("soon").build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
    assertTrue(e.getMessage().contains("parameters.timeout"), e.getMessage());
  }

  @Test
  void aGenerousTimeoutSucceedsAndTheResponseNamesTheWorker() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    client.blocking().withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .modelInfer(withTimeout(InferParameter.newBuilder().setInt64Param(10_000_000).build()));
    String worker = headers.get().get(Metadata.Key.of("x-maas-worker", Metadata.ASCII_STRING_MARSHALLER));
    assertFalse(worker == null || worker.isEmpty(), "x-maas-worker header: " + worker);
  }
}
