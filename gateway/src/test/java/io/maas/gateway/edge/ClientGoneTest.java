package io.maas.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.maas.bus.Addresses;
import io.maas.config.MaasConfig;
import io.maas.config.SessionConfig;
import io.maas.config.SimConfig;
import io.maas.config.SlotConfig;
import io.maas.config.WorkerConfig;
import io.maas.gateway.RunningNode;
import io.maas.gateway.grpc.v2.GRPCInferenceServiceGrpc;
import io.maas.gateway.grpc.v2.InferTensorContents;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelStreamInferResponse;
import io.maas.node.MaasNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every kind of edge tells the worker when its client goes away while the request waits in the worker's queue: an
 * HTTP/1.1 connection closed, an HTTP/2 stream reset, a gRPC call cancelled, a gRPC call past its
 * {@code grpc-timeout}, a gRPC stream cancelled. The node's one worker is simulated and holds each batch for
 * {@link #SLOW_MS}, so a request sent behind another waits there; the test watches the node's event bus for the
 * gateway's sends (the request with its ticket, then the ticket's id on {@link Addresses#workerCancel}), and its
 * log for ERROR lines, of which a client going away makes none.
 */
class ClientGoneTest {
  private static final long SLOW_MS = 1_500;
  private static final String BODY = """
      {"inputs": [
        {"name": "INPUT0", "shape": [1, 16], "datatype": "INT32", "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
        {"name": "INPUT1", "shape": [1, 16], "datatype": "INT32", "data": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""";
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  /** Tickets of the inference requests the gateway sent, and of those it cancelled. */
  private static final Set<String> sent = ConcurrentHashMap.newKeySet();
  private static final List<String> cancelled = new CopyOnWriteArrayList<>();

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static Vertx clientVertx;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    LOGS.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
    Path repo = dir.resolve("repo");
    Path simple = Path.of(System.getProperty("maas.root")).resolve("conf/models/simple");
    Files.createDirectories(repo.resolve("simple/1"));
    Files.copy(simple.resolve("config.yaml"), repo.resolve("simple/config.yaml"));
    Files.copy(simple.resolve("1/model.onnx"), repo.resolve("simple/1/model.onnx"));
    MaasConfig c = RunningNode.config(repo, "maas-gone-" + UUID.randomUUID());
    WorkerConfig w = c.worker();
    SlotConfig sim = new SlotConfig(SlotConfig.SIM, List.of(), new SessionConfig(1, 1, "all"),
        new SimConfig(SLOW_MS, 0, 0));
    node = new RunningNode(new MaasConfig(c.gateway(), new WorkerConfig(w.modelRepository(), List.of(sim),
        w.announceIntervalMillis(), w.defaultMaxBatchSize(), w.drainGraceMillis(), w.drainTimeoutMillis(),
        w.maxQueueSize(), w.models(), w.control()), c.cluster(), c.tenancy()), MaasNode.Mode.STANDALONE);
    node.node.vertx().eventBus().addOutboundInterceptor(ctx -> {
      String address = ctx.message().address();
      String ticket = ctx.message().headers().get(Addresses.TICKET_HEADER);
      if (ticket != null) {
        sent.add(ticket);
      } else if (address.startsWith("maas.worker.") && address.endsWith(".cancel")) {
        cancelled.add(String.valueOf(ctx.body()));
      }
      ctx.next();
    });
    node.awaitReady(Duration.ofSeconds(60));
    clientVertx = Vertx.vertx();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (clientVertx != null) {
      clientVertx.close().await();
    }
    if (node != null) {
      node.close();
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
  }

  /** Polls until the condition holds, or fails after a generous deadline (a loaded 2-core machine). */
  private static void poll(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      node.node.vertx().timer(20).await();
    }
  }

  /** A request that holds the worker's one instance for {@link #SLOW_MS}, so that the next one waits. */
  private static void blocker() {
    int before = sent.size();
    java.net.http.HttpClient.newHttpClient().sendAsync(
        java.net.http.HttpRequest.newBuilder(node.uri("/v2/models/simple/infer"))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(BODY)).build(),
        java.net.http.HttpResponse.BodyHandlers.discarding());
    poll(() -> sent.size() > before, "the blocker sent to the worker");
  }

  /** Waits for the gateway to send the next request, then runs {@code leave}, and expects its cancel. */
  private static void expectCancelAfter(int sentBefore, Runnable leave) {
    poll(() -> sent.size() >= sentBefore + 1, "the request sent to the worker");
    int cancelsBefore = cancelled.size();
    leave.run();
    poll(() -> cancelled.size() > cancelsBefore, "a cancel sent to the worker");
    assertTrue(cancelled.stream().anyMatch(id -> sent.stream().anyMatch(t -> t.startsWith(id))),
        "the cancel names a ticket the gateway sent: " + cancelled + " / " + sent);
  }

  private static void assertNoErrorLogged() {
    List<ILoggingEvent> errors = LOGS.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)).toList();
    assertEquals(List.of(), errors.stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList(),
        "a client going away logs no ERROR");
  }

  @Test
  void anHttp11ConnectionClosedWhileItsRequestIsQueuedCancelsItOnTheWorker() throws Exception {
    blocker();
    int before = sent.size();
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", node.node.httpPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      expectCancelAfter(before, () -> {
        try {
          socket.setSoLinger(true, 0); // a reset, as a killed client leaves it
          socket.close();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    }
    assertNoErrorLogged();
  }

  @Test
  void anHttp2StreamResetWhileItsRequestIsQueuedCancelsItOnTheWorker() {
    blocker();
    int before = sent.size();
    HttpClient h2 = clientVertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    try {
      HttpClientRequest request = h2.request(new RequestOptions().setMethod(HttpMethod.POST)
          .setHost("127.0.0.1").setPort(node.node.httpPort()).setURI("/v2/models/simple/infer")
          .putHeader("Content-Type", "application/json")).await();
      request.end(BODY);
      expectCancelAfter(before, () -> request.reset()); // RST_STREAM CANCEL; the connection stays
    } finally {
      h2.close().await();
    }
    assertNoErrorLogged();
  }

  private static ModelInferRequest simpleRequest() {
    InferTensorContents.Builder a = InferTensorContents.newBuilder();
    InferTensorContents.Builder b = InferTensorContents.newBuilder();
    IntStream.range(0, 16).forEach(i -> {
      a.addIntContents(i);
      b.addIntContents(1);
    });
    return ModelInferRequest.newBuilder().setModelName("simple")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("INPUT0").setDatatype("INT32")
            .addShape(1).addShape(16).setContents(a))
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("INPUT1").setDatatype("INT32")
            .addShape(1).addShape(16).setContents(b))
        .build();
  }

  @Test
  void aGrpcCallCancelledWhileItsRequestIsQueuedCancelsItOnTheWorker() {
    blocker();
    int before = sent.size();
    var call = GRPCInferenceServiceGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
        .modelInfer(simpleRequest());
    expectCancelAfter(before, () -> call.cancel(true)); // RST_STREAM CANCEL
    assertNoErrorLogged();
  }

  @Test
  void aGrpcCallPastItsTimeoutWhileItsRequestIsQueuedIsCancelledOnTheWorker() {
    blocker();
    int cancelsBefore = cancelled.size();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> GRPCInferenceServiceGrpc
        .newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS).modelInfer(simpleRequest()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getMessage());
    poll(() -> cancelled.size() > cancelsBefore, "a cancel sent to the worker at the grpc-timeout");
    assertNoErrorLogged();
  }

  @Test
  void aGrpcStreamCancelledCancelsEveryRequestOfItStillInFlight() throws Exception {
    blocker();
    int before = sent.size();
    var stream = GRPCInferenceServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
    StreamObserver<ModelInferRequest> out = context.call(() -> stream.modelStreamInfer(new StreamObserver<>() {
      @Override
      public void onNext(ModelStreamInferResponse r) {
      }

      @Override
      public void onError(Throwable t) {
      }

      @Override
      public void onCompleted() {
      }
    }));
    out.onNext(simpleRequest());
    out.onNext(simpleRequest());
    poll(() -> sent.size() >= before + 2, "both requests of the stream sent to the worker");
    int cancelsBefore = cancelled.size();
    context.cancel(null);
    poll(() -> cancelled.size() >= cancelsBefore + 2, "both requests cancelled on the worker");
    assertNoErrorLogged();
  }
}
