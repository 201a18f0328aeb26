package io.maas.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Unary gRPC calls whose framing is wrong, sent as raw HTTP/2 bodies (what a gRPC library never sends): each is
 * answered with INVALID_ARGUMENT within seconds, never left unanswered; a second message is refused without
 * answering twice.
 */
@ExtendWith(SharedNode.class)
class GrpcFramingTest {
  private static final String INFER = "/inference.GRPCInferenceService/ModelInfer";
  private static final String LIVE = "/inference.GRPCInferenceService/ServerLive";
  private static final String HEALTH_CHECK = "/grpc.health.v1.Health/Check";
  private static final String HEALTH_WATCH = "/grpc.health.v1.Health/Watch";
  private static final String HEALTH_LIST = "/grpc.health.v1.Health/List";
  static RunningNode node;
  static Vertx vertx;
  static HttpClient http;

  @BeforeAll
  static void start(RunningNode shared) {
    node = shared;
    vertx = Vertx.vertx();
    http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /**
   * The call's grpc-status and grpc-message (trailers, or headers for a trailers-only answer).
   *
   * @param headers more request headers, as name, value, name, value...
   */
  private static String[] call(String path, byte[] body, String... headers) throws Exception {
    return http.request(HttpMethod.POST, node.grpcPort(), "127.0.0.1", path)
        .compose(req -> {
          req.putHeader("content-type", "application/grpc").putHeader("te", "trailers");
          for (int i = 0; i < headers.length; i += 2) {
            req.putHeader(headers[i], headers[i + 1]);
          }
          return req.send(Buffer.buffer(body));
        })
        .compose(resp -> ended(resp).map(v -> {
          String status = resp.getHeader("grpc-status") != null ? resp.getHeader("grpc-status") : resp.getTrailer("grpc-status");
          String message = resp.getHeader("grpc-message") != null ? resp.getHeader("grpc-message") : resp.getTrailer("grpc-message");
          return new String[] {status, message == null ? "" : java.net.URLDecoder.decode(message, java.nio.charset.StandardCharsets.UTF_8)};
        }))
        .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  /** A response's end; one that ended already (a trailers-only answer can beat this test's callback). */
  private static io.vertx.core.Future<Void> ended(io.vertx.core.http.HttpClientResponse resp) {
    try {
      return resp.end();
    } catch (IllegalStateException alreadyEnded) {
      return io.vertx.core.Future.succeededFuture();
    }
  }

  @Test
  void aUnaryCallWithoutACompleteMessageIsInvalidNotUnanswered() throws Exception {
    byte[][] bodies = {{}, {0, 0, 0}, {0, 0, 0, 0, 16, 'a', 'b'}};
    for (String path : new String[] {INFER, LIVE}) {
      for (byte[] body : bodies) {
        String[] answer = call(path, body);
        assertEquals("3", answer[0], path + " with " + body.length + " bytes: " + String.join(" ", answer));
        assertTrue(answer[1].contains("without a complete request message"), answer[1]);
      }
    }
  }

  /** The health service's calls are read as every other: Vert.x's own reset or ignored them. */
  @Test
  void healthCallsWithoutAWellFormedMessageAreInvalidNotUnanswered() throws Exception {
    byte[][] bodies = {{}, {0, 0, 0}, {0, 0, 0, 0, 16, 'a', 'b'}, {0, 0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff}};
    for (String path : new String[] {HEALTH_CHECK, HEALTH_WATCH, HEALTH_LIST}) {
      for (byte[] body : bodies) {
        String[] answer = call(path, body);
        assertEquals("3", answer[0], path + " with " + body.length + " bytes: " + String.join(" ", answer));
      }
    }
  }

  /**
   * gRPC's compression spec: "a message with its Compressed-Flag bit set but lacking a grpc-encoding entry different
   * from identity MUST fail with INTERNAL status, its description indicating the invalid Compressed-Flag condition".
   * Vert.x threw on it (an ERROR in the log) and left the call unanswered.
   */
  @Test
  void aMessageFlaggedCompressedWithoutAnEncodingIsInternalAsTheSpecSays() throws Exception {
    byte[] flagged = {1, 0, 0, 0, 2, 10, 0};
    List<ILoggingEvent> logged = logged(() -> {
      for (String path : new String[] {INFER, LIVE, HEALTH_CHECK}) {
        for (String[] headers : new String[][] {{}, {"grpc-encoding", "identity"}}) {
          String[] answer = call(path, flagged, headers);
          assertEquals("13", answer[0], path + " " + String.join(" ", headers) + ": " + String.join(" ", answer));
          assertTrue(answer[1].contains("invalid Compressed-Flag"), answer[1]);
        }
      }
      assertEquals("0", call(LIVE, new byte[] {0, 0, 0, 0, 0})[0], "the edge serves on");
    });
    assertTrue(logged.stream().noneMatch(e -> e.getLevel() == Level.ERROR), "nothing logged as an error: " + logged);
  }

  /** The same spec: a message compressed in an encoding the server does not read is UNIMPLEMENTED. */
  @Test
  void aMessageInAnEncodingTheServerDoesNotReadIsUnimplemented() throws Exception {
    String[] answer = call(LIVE, new byte[] {1, 0, 0, 0, 2, 10, 0}, "grpc-encoding", "snappy");
    assertEquals("12", answer[0], String.join(" ", answer));
    assertTrue(answer[1].contains("unsupported grpc-encoding 'snappy'") && answer[1].contains("gzip"), answer[1]);
  }

  /** gRPC-Web, gRPC-Web-text and JSON transcoding are not served: 415, where they hung or answered 500. */
  @Test
  void onlyGrpcOverHttp2IsServed() throws Exception {
    HttpClient http1 = vertx.createHttpClient();
    for (String type : new String[] {"application/grpc-web", "application/grpc-web-text", "application/json"}) {
      int status = http1.request(HttpMethod.POST, node.grpcPort(), "127.0.0.1", LIVE)
          .compose(req -> req.putHeader("content-type", type).send(Buffer.buffer("AAAAAAA=")))
          .map(io.vertx.core.http.HttpClientResponse::statusCode)
          .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertEquals(415, status, type);
    }
  }

  private interface Calls {
    void run() throws Exception;
  }

  /** What the node logs while the calls run. */
  private static List<ILoggingEvent> logged(Calls calls) throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      calls.run();
    } finally {
      root.detachAppender(logs);
    }
    synchronized (logs) {
      return List.copyOf(logs.list);
    }
  }

  @Test
  void aSecondMessageOnAUnaryCallIsAnsweredOnce() throws Exception {
    List<ILoggingEvent> logged = logged(() -> {
      String[] answer = call(LIVE, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
      assertEquals("0", answer[0], "the first message is answered: " + String.join(" ", answer));
      String[] after = call(LIVE, new byte[] {0, 0, 0, 0, 0});
      assertEquals("0", after[0], "the edge serves on");
    });
    assertTrue(logged.stream().noneMatch(e -> e.getLevel() == Level.ERROR),
        "no second answer attempted (it would log an ERROR): " + logged);
  }
}
