package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maas.config.GatewayConfig;
import io.maas.config.MaasConfig;
import io.maas.gateway.cluster.Poll;
import io.maas.gateway.edge.BodyBudget;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpc;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.maas.node.MaasNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies are held to bounded memory, on a real node over real sockets: bodies of at most 1 MiB
 * ({@code gateway.max_body_bytes}), 2.5 MiB for all bodies being read or served at once
 * ({@code gateway.body_memory_budget_bytes}), 2 s without a byte ({@code gateway.body_read_timeout_s}). After each
 * test every reservation has been given back.
 */
class BodyLimitsTest {
  private static final long MAX_BODY = RunningNode.MAX_BODY_BYTES;
  private static final long BUDGET = MAX_BODY * 5 / 2;
  private static final int READ_TIMEOUT_S = 2;
  private static final Duration SLACK = Duration.ofSeconds(10);
  private static final String INFER = "/v2/models/identity_float/infer";

  @TempDir
  static Path repo;
  static RunningNode node;
  static BodyBudget budget;

  @BeforeAll
  static void start() throws Exception {
    MaasConfig c = RunningNode.config(TestRepository.create(repo), "maas-bodies-" + UUID.randomUUID());
    GatewayConfig gateway = c.gateway()
        .withConnections(new GatewayConfig.ConnectionLimits(120, 10, 120, 100, 100))
        .withBodies(new GatewayConfig.BodyLimits(BUDGET, READ_TIMEOUT_S));
    node = new RunningNode(new MaasConfig(gateway, c.worker(), c.cluster()), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    budget = node.gateway().bodyBudget();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @AfterEach
  void everyReservationIsGivenBack() {
    Poll.until(SLACK, "the body budget back to 0 (it holds " + budget.reserved() + ")", () -> budget.reserved() == 0);
  }

  private static Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", node.uri("/").getPort());
    s.setSoTimeout(100);
    return s;
  }

  private static void send(Socket s, String head, byte[] body) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static String post(String path, long contentLength, String... headers) {
    StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: x\r\n");
    if (contentLength >= 0) {
      head.append("Content-Length: ").append(contentLength).append("\r\n");
    }
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    return head.append("\r\n").toString();
  }

  /** An HTTP/1.1 answer as read off the socket, and how long after the request it came. */
  private record Answer(int status, Map<String, String> headers, String body, Duration after) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** Reads one answer (Content-Length framed). */
  private static Answer answer(Socket s, Duration timeout) throws IOException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int headEnd = -1;
    int length = -1;
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Duration after = null;
    while (System.nanoTime() < deadline) {
      try {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        got.write(buf, 0, n);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException reset) {
        break;
      }
      String text = got.toString(StandardCharsets.ISO_8859_1);
      if (headEnd < 0 && (headEnd = text.indexOf("\r\n\r\n")) >= 0) {
        after = Duration.ofNanos(System.nanoTime() - t0);
        for (String line : text.substring(0, headEnd).split("\r\n")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
          }
        }
        length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
      }
      if (headEnd >= 0 && got.size() >= headEnd + 4 + length) {
        break;
      }
    }
    String text = got.toString(StandardCharsets.ISO_8859_1);
    assertTrue(headEnd >= 0, "an answer within " + timeout + ", got: " + text);
    int status = Integer.parseInt(text.substring(9, 12));
    String body = text.substring(headEnd + 4, Math.min(text.length(), headEnd + 4 + length));
    return new Answer(status, headers, body, after);
  }

  /** Whether the server closes the connection (the body is not read on) within the slack. */
  private static boolean closed(Socket s) throws IOException {
    Duration timeout = SLACK;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (s.getInputStream().read() < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        // poll on
      } catch (IOException reset) {
        return true;
      }
    }
    return false;
  }

  /**
   * Requests of the largest size whose bodies come slowly (a byte every 200 ms, so they never stall): they
   * hold their reservation while they come. Closing them is the clients giving up.
   */
  private static final class Holders implements AutoCloseable {
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread dribbler;
    private volatile boolean running = true;

    Holders(int count) throws IOException {
      for (int i = 0; i < count; i++) {
        Socket s = connect();
        send(s, post(INFER, MAX_BODY), new byte[100]);
        sockets.add(s);
      }
      dribbler = new Thread(() -> {
        while (running) {
          for (Socket s : sockets) {
            try {
              s.getOutputStream().write(' ');
            } catch (IOException e) {
              // closed
            }
          }
          java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
      });
      dribbler.setDaemon(true);
      dribbler.start();
      Poll.until(SLACK, count + " bodies reserved", () -> budget.reserved() == count * MAX_BODY);
    }

    @Override
    public void close() throws IOException {
      running = false;
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  private static byte[] inferJson(int rows) {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < rows * 3; i++) {
      data.append(i == 0 ? "" : ",").append(i % 7);
    }
    return ("{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[" + rows + ",3],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  void aBodyOverTheLimitByItsContentLengthIs413BeforeAByteOfItIsSent() throws Exception {
    try (Socket s = connect()) {
      send(s, post(INFER, MAX_BODY + 1, "Content-Type: application/json"), new byte[0]);
      Answer a = answer(s, SLACK);
      assertEquals(413, a.status());
      assertEquals("PAYLOAD_TOO_LARGE", a.headers().get("X-Maas-Error-Code"));
      assertTrue(a.json().getString("error").contains("gateway.max_body_bytes"), a.body());
      assertEquals("close", a.headers().get("Connection"));
      assertTrue(closed(s), "the connection is closed: the body is not read");
    }
  }

  @Test
  void anExpectContinueOverTheLimitGets413InsteadOfContinue() throws Exception {
    try (Socket s = connect()) {
      send(s, post(INFER, 64L << 20, "Expect: 100-continue"), new byte[0]);
      Answer a = answer(s, SLACK);
      assertEquals(413, a.status());
      assertTrue(closed(s));
    }
  }

  @Test
  void aGzipBodyInflatesAndAGzipBombIs413() throws Exception {
    byte[] body = gzip(inferJson(2));
    try (Socket s = connect()) {
      send(s, post(INFER, body.length, "Content-Encoding: gzip"), body);
      Answer a = answer(s, SLACK);
      assertEquals(200, a.status(), a.body());
      assertEquals(List.of(0, 1, 2, 3, 4, 5), a.json().getJsonArray("outputs").getJsonObject(0).getJsonArray("data")
          .stream().map(v -> ((Number) v).intValue()).toList());
    }
    byte[] bomb = gzip(new byte[64 << 20]); // 64 KiB inflating to 64 MiB, 64 times the limit
    try (Socket s = connect()) {
      send(s, post(INFER, bomb.length, "Content-Encoding: gzip"), bomb);
      Answer a = answer(s, SLACK);
      assertEquals(413, a.status());
      assertTrue(a.json().getString("error").contains("inflates to over " + MAX_BODY + " bytes"), a.body());
    }
  }

  @Test
  void aChunkedBodyGrowingPastTheLimitIs413() throws Exception {
    try (Socket s = connect()) {
      send(s, post(INFER, -1, "Transfer-Encoding: chunked"), new byte[0]);
      byte[] chunk = new byte[64 * 1024];
      Answer a = null;
      for (int i = 0; i < 40 && a == null; i++) {
        try {
          s.getOutputStream().write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().write(chunk);
          s.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException closed) {
          break;
        }
        if (s.getInputStream().available() > 0) {
          a = answer(s, SLACK);
        }
      }
      a = a != null ? a : answer(s, SLACK);
      assertEquals(413, a.status());
    }
  }

  @Test
  void whenTheBudgetIsSpentABodyGets503WithRetryAfterUnreadAndTheBudgetComesBack() throws Exception {
    // two bodies of the largest size hold 2 MiB of the 2.5 MiB budget while they come
    try (Holders holders = new Holders(2)) {
      try (Socket s = connect()) {
        send(s, post(INFER, MAX_BODY), new byte[0]);
        Answer a = answer(s, SLACK);
        assertEquals(503, a.status());
        assertEquals("1", a.headers().get("Retry-After"));
        assertEquals("UNAVAILABLE", a.headers().get("X-Maas-Error-Code"));
        assertTrue(a.json().getString("error").contains("gateway.body_memory_budget_bytes"), a.body());
        assertTrue(closed(s), "not read: the connection is closed");
      }
      // a chunked body reserves as it grows: refused once it outgrows what is left
      try (Socket s = connect()) {
        send(s, post(INFER, -1, "Transfer-Encoding: chunked"), new byte[0]);
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 12 && s.getInputStream().available() == 0; i++) {
          try {
            s.getOutputStream().write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(chunk);
            s.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
          } catch (IOException closed) {
            break;
          }
        }
        Answer a = answer(s, SLACK);
        assertEquals(503, a.status());
        assertEquals("1", a.headers().get("Retry-After"));
      }
      Poll.until(SLACK, "the refused bodies' shares given back", () -> budget.reserved() == 2 * MAX_BODY);
    }
    Poll.until(SLACK, "the holders' shares given back once they gave up", () -> budget.reserved() == 0);
    try (Socket s = connect()) { // and a body of the largest size fits again
      byte[] body = new byte[(int) MAX_BODY];
      send(s, post(INFER, body.length), body);
      assertEquals(400, answer(s, SLACK).status(), "read, and found not to be JSON");
    }
  }

  @Test
  void aBodyThatStopsComingGets408AndGivesItsShareBack() throws Exception {
    try (Socket s = connect()) {
      send(s, post(INFER, 1000), "{\"inputs\"".getBytes(StandardCharsets.US_ASCII));
      Answer a = answer(s, SLACK);
      assertEquals(408, a.status());
      assertEquals("REQUEST_TIMEOUT", a.headers().get("X-Maas-Error-Code"));
      assertTrue(a.after().toMillis() >= READ_TIMEOUT_S * 1000 - 300, "not before the read timeout: " + a.after());
      assertTrue(closed(s));
    }
  }

  @Test
  void aServedRequestGivesItsShareBack() throws Exception {
    byte[] body = inferJson(1000);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, node.post(INFER, new String(body, StandardCharsets.US_ASCII)).statusCode());
    }
  }

  private static ModelInferRequest identityRaw(int rows) {
    return ModelInferRequest.newBuilder().setModelName("identity_float")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("INPUT0").setDatatype("FP32")
            .addShape(rows).addShape(3))
        .addRawInputContents(ByteString.copyFrom(new byte[rows * 12]))
        .build();
  }

  @Test
  void grpcMessagesCountAgainstTheSameBudget() throws Exception {
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
    try {
      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub =
          GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      ModelInferRequest large = identityRaw((int) (MAX_BODY * 6 / 10 / 12)); // 0.6 MiB
      ModelInferResponse served = stub.modelInfer(large);
      assertEquals(large.getRawInputContents(0), served.getRawOutputContents(0));
      Poll.until(SLACK, "the served call's share given back", () -> budget.reserved() == 0);
      try (Holders holders = new Holders(2)) { // 0.5 MiB left
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(large));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription().contains("gateway.body_memory_budget_bytes"), e.getMessage());
        assertEquals("1", e.getTrailers().get(Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER)));
      }
      Poll.until(SLACK, "the REST bodies' shares given back", () -> budget.reserved() == 0);
      assertEquals(large.getRawInputContents(0), stub.modelInfer(large).getRawOutputContents(0), "served again");
      try (Holders holders = new Holders(1)) { // 1.5 MiB left
        // a stream's messages give their shares back as each is handed on: three of 0.6 MiB pass one at a time
        List<io.maas.gateway.grpc.v2.ModelStreamInferResponse> responses = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        var out = GRPCInferenceServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
            .modelStreamInfer(new io.grpc.stub.StreamObserver<>() {
              @Override
              public void onNext(io.maas.gateway.grpc.v2.ModelStreamInferResponse r) {
                responses.add(r);
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            });
        for (int i = 0; i < 3; i++) {
          out.onNext(large);
        }
        out.onCompleted();
        done.get(30, TimeUnit.SECONDS);
        assertEquals(3, responses.size());
        for (var r : responses) {
          assertEquals("", r.getErrorMessage());
        }
      }
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aGrpcMessageThatStopsComingFailsDeadlineExceeded() throws Exception {
    HttpClientAgent client = node.node.vertx().createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      CompletableFuture<HttpClientResponse> answered = new CompletableFuture<>();
      long t0 = System.nanoTime();
      client.request(HttpMethod.POST, node.grpcPort(), "127.0.0.1", "/inference.GRPCInferenceService/ModelInfer")
          .onSuccess(r -> {
            r.putHeader("content-type", "application/grpc").putHeader("te", "trailers").setChunked(true);
            r.response().onSuccess(answered::complete).onFailure(answered::completeExceptionally);
            // a message announced as 1000 bytes, of which 10 come
            r.write(Buffer.buffer().appendByte((byte) 0).appendInt(1000).appendBytes(new byte[10]));
          })
          .onFailure(answered::completeExceptionally);
      HttpClientResponse response = answered.get(SLACK.toSeconds(), TimeUnit.SECONDS);
      String status = response.getHeader("grpc-status");
      if (status == null) { // not trailers-only: the status comes in the trailers
        response.end().toCompletionStage().toCompletableFuture().get(SLACK.toSeconds(), TimeUnit.SECONDS);
        status = response.getTrailer("grpc-status");
      }
      assertEquals(String.valueOf(Status.Code.DEADLINE_EXCEEDED.value()), status);
      assertTrue(System.nanoTime() - t0 >= TimeUnit.SECONDS.toNanos(READ_TIMEOUT_S) - TimeUnit.MILLISECONDS.toNanos(300),
          "not before the read timeout");
    } finally {
      client.close().await();
    }
  }
}
