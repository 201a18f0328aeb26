package io.maas.gateway.grpc;

import static io.maas.gateway.grpc.GrpcClient.filled;
import static io.maas.gateway.grpc.GrpcClient.input;
import static io.maas.gateway.grpc.GrpcClient.ints;
import static io.maas.gateway.grpc.GrpcClient.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The grpc-message trailer at the byte level: a raw HTTP/2 client (Vert.x's, cleartext with prior knowledge) reads
 * it as it is on the wire, and it must be exactly gRPC's percent-encoding (printable ASCII but '%' as it is, the rest
 * of the UTF-8 as %XX) for unary and streaming calls, trailers-only or after messages, and for the answers Vert.x
 * gives itself (a passed deadline, an unknown method). grpc-java then decodes each to exactly the edge's message.
 */
@ExtendWith(SharedNode.class)
class GrpcMessageEncodingTest {
  private static final String SERVICE = "/inference.GRPCInferenceService/";
  private static final String WRONG_SHAPE = "input 'INPUT0': expected shape [-1, 16], got [1, 15] (-1 is any size)";
  private static final String ODD_NAME = "naïve 100% [x]: y";
  private static RunningNode node;
  private static Vertx vertx;
  private static HttpClient h2;
  private static GrpcClient grpc;

  @BeforeAll
  static void start(RunningNode shared) {
    node = shared;
    vertx = Vertx.vertx();
    h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(node.grpcPort()));
    grpc = new GrpcClient(node.grpcPort());
  }

  @AfterAll
  static void stop() {
    grpc.close();
    vertx.close().await();
  }

  /** What a call's end says: its grpc-status and its grpc-message exactly as sent (null: none). */
  private record End(String status, String message, boolean trailersOnly, int dataBytes) {}

  @Test
  void printableAsciiGoesAsItIsWhereVertxWouldEscapeColonsCommasAndSpaces() throws Exception {
    End end = unary("ModelInfer", wrongShape().toByteArray());
    assertEquals("3", end.status());
    assertEquals(WRONG_SHAPE, end.message());
    assertTrue(end.trailersOnly(), "a failed unary call is trailers-only");
  }

  @Test
  void percentAndNonAsciiAreEscapedAsUtf8() throws Exception {
    End end = unary("ModelInfer", ModelInferRequest.newBuilder().setModelName(ODD_NAME).build().toByteArray());
    assertEquals("5", end.status());
    assertEquals("unknown model 'na%C3%AFve 100%25 [x]: y'", end.message());
  }

  @Test
  void vertxsOwnDeadlineAnswerCarriesASpecEncodedMessage() throws Exception {
    // the call's one message never comes: Vert.x answers DEADLINE_EXCEEDED when grpc-timeout passes
    End unary = call("ModelInfer", "300m", List.of(), false);
    assertEquals("4", unary.status());
    assertEquals("the call's deadline (grpc-timeout, 300 ms) passed before it was answered", unary.message());
    // a stream past its deadline after it answered a request: the status comes in trailers after the message
    End stream = call("ModelStreamInfer", "1500m", List.of(GrpcClient.simpleTyped("s").toByteArray()), false);
    assertEquals("4", stream.status());
    assertTrue(stream.dataBytes() > 0 && !stream.trailersOnly(), "the stream answered its request first");
    assertEquals("the call's deadline (grpc-timeout, 1500 ms) passed before it was answered", stream.message());
  }

  @Test
  void aStreamFailedAfterAnAnswerHasItsTrailerSpecEncoded() throws Exception {
    byte[] tooLarge = new byte[(int) RunningNode.MAX_BODY_BYTES + 1];
    End end = call("ModelStreamInfer", null, List.of(GrpcClient.simpleTyped("s").toByteArray(), tooLarge), true);
    assertEquals("8", end.status());
    assertTrue(end.dataBytes() > 0 && !end.trailersOnly(), "the stream answered its first request");
    assertEquals("a message of " + tooLarge.length + " bytes is over the server's limit (gateway.max_body_bytes)",
        end.message());
  }

  @Test
  void anUnknownMethodIsUnimplementedWithItsPathEncoded() throws Exception {
    End end = unary("No%25pe", new byte[0]);
    assertEquals("12", end.status());
    assertEquals("Method not found: inference.GRPCInferenceService/No%2525pe", end.message());
  }

  @Test
  void grpcJavaDecodesEachToExactlyTheEdgesMessage() {
    StatusRuntimeException shape = assertThrows(StatusRuntimeException.class,
        () -> grpc.blocking().modelInfer(wrongShape()));
    assertEquals(Status.Code.INVALID_ARGUMENT, shape.getStatus().getCode());
    assertEquals(WRONG_SHAPE, shape.getStatus().getDescription());
    StatusRuntimeException odd = assertThrows(StatusRuntimeException.class,
        () -> grpc.blocking().modelInfer(ModelInferRequest.newBuilder().setModelName(ODD_NAME).build()));
    assertEquals(Status.Code.NOT_FOUND, odd.getStatus().getCode());
    assertEquals("unknown model '" + ODD_NAME + "'", odd.getStatus().getDescription());
    Exception stream = assertThrows(Exception.class,
        () -> grpc.rawStream(List.of(GrpcClient.simpleTyped("s").toByteArray(), new byte[2_000_000])));
    Status status = Status.fromThrowable(stream);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
    assertEquals("a message of 2000000 bytes is over the server's limit (gateway.max_body_bytes)",
        status.getDescription());
  }

  private static ModelInferRequest wrongShape() {
    return ModelInferRequest.newBuilder().setModelName("simple")
        .addInputs(input("INPUT0", "INT32", 1, 15).setContents(ints(range(0, 15))))
        .addInputs(input("INPUT1", "INT32", 1, 16).setContents(ints(filled(1, 16))))
        .build();
  }

  private static End unary(String method, byte[] message) throws Exception {
    return call(method, null, List.of(message), true);
  }

  /**
   * One call on a raw HTTP/2 stream: its messages, each framed (no compression), the last sent once the answer to the
   * first has begun; the stream's end is sent only if {@code end}.
   */
  private static End call(String method, String timeout, List<byte[]> messages, boolean end) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(SERVICE + method)
        .putHeader("content-type", "application/grpc").putHeader("te", "trailers");
    if (timeout != null) {
      options.putHeader("grpc-timeout", timeout);
    }
    HttpClientRequest request = h2.request(options).await(20, TimeUnit.SECONDS).setChunked(true);
    Buffer body = Buffer.buffer();
    Promise<Void> ended = Promise.promise();
    // the handlers are set, before anything is sent, on the event loop as the head arrives: before any data or end
    Future<HttpClientResponse> answered = request.response().andThen(r -> {
      if (r.succeeded()) {
        r.result().handler(body::appendBuffer).end().onComplete(ended);
      }
    });
    request.sendHead().await(20, TimeUnit.SECONDS);
    for (int i = 0; i < messages.size(); i++) {
      boolean last = i == messages.size() - 1;
      if (last && i > 0) {
        answered.await(20, TimeUnit.SECONDS); // the first request was answered: the next goes after
      }
      Buffer frame = frame(messages.get(i));
      if (last && end) {
        request.end(frame);
      } else {
        request.write(frame);
      }
    }
    if (messages.isEmpty() && end) {
      request.end();
    }
    HttpClientResponse response = answered.await(20, TimeUnit.SECONDS);
    ended.future().await(20, TimeUnit.SECONDS);
    MultiMap trailers = response.trailers();
    boolean trailersOnly = response.headers().contains("grpc-status");
    MultiMap status = trailersOnly ? response.headers() : trailers;
    assertTrue(status.getAll("grpc-message").size() <= 1, "one grpc-message: " + status);
    return new End(status.get("grpc-status"), status.get("grpc-message"), trailersOnly, body.length());
  }

  private static Buffer frame(byte[] message) {
    return Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
  }
}
