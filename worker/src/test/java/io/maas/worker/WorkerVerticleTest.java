package io.maas.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bus.Addresses;
import io.maas.bus.Codecs;
import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import io.maas.config.WorkerConfig;
import io.maas.error.ErrorCode;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.maas.model.TensorSpec;
import io.maas.model.WorkerAnnouncement;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.maas.worker.onnx.SampleModels;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class WorkerVerticleTest {

  @TempDir
  Path repo;

  private WorkerAnnouncement ready;

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  private static boolean allReady(WorkerAnnouncement a, String... models) {
    Map<String, ModelStatus> byName = a.models().stream()
        .collect(Collectors.toMap(ModelStatus::name, s -> s, (x, y) -> x));
    for (String m : models) {
      ModelStatus s = byName.get(m);
      if (s == null || !s.isReady()) {
        return false;
      }
    }
    return true;
  }

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) throws IOException {
    Codecs.register(vertx.eventBus());
    write(repo.resolve("simple/1/model.onnx"), SampleModels.simple());
    write(repo.resolve("ident/1/model.onnx"), OnnxModelBuilder.identity("ident", ElemType.FLOAT, -1, 3));
    WorkerConfig config = new WorkerConfig(
        repo, List.of(new SlotConfig("cpu", List.of(), new SessionConfig(1, 1, "all"))), 100, 0);

    MessageConsumer<JsonObject> announcements = vertx.eventBus().consumer(Addresses.ANNOUNCE);
    announcements.handler(msg -> {
      WorkerAnnouncement a = WorkerAnnouncement.fromJson(msg.body());
      if (ready == null && allReady(a, "simple", "ident")) {
        ready = a;
        announcements.unregister().onComplete(ctx.succeedingThenComplete());
      }
    });
    announcements.completion()
        .compose(v -> WorkerNode.deploy(vertx, config))
        .onFailure(ctx::failNow);
  }

  private static byte[] int32(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  private static byte[] fp32(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static InferenceRequest simpleRequest(List<String> outputs) {
    int[] in0 = new int[16];
    int[] in1 = new int[16];
    for (int i = 0; i < 16; i++) {
      in0[i] = i;
      in1[i] = 1;
    }
    return new InferenceRequest("simple", "", "req-1", List.of(
        new Tensor("INPUT0", DataType.INT32, new long[] {1, 16}, int32(in0)),
        new Tensor("INPUT1", DataType.INT32, new long[] {1, 16}, int32(in1))), outputs, null);
  }

  private Future<InferenceResponse> infer(Vertx vertx, InferenceRequest request) {
    return vertx.eventBus().<InferenceResponse>request(ready.address(), request).map(m -> m.body());
  }

  private static int[] expected(int delta) {
    int[] out = new int[16];
    for (int i = 0; i < 16; i++) {
      out[i] = i + delta;
    }
    return out;
  }

  @Test
  void announcementDescribesTheReadyModels(VertxTestContext ctx) {
    assertEquals(Addresses.worker(ready.workerId()), ready.address());
    assertEquals("cpu", ready.device());
    assertEquals(300, ready.ttlMillis());
    assertEquals(2, ready.maxInFlight(), "one instance each of simple and ident");
    assertEquals("local", ready.nodeId());
    ModelStatus simple = ready.models().stream().filter(s -> s.name().equals("simple")).findFirst().orElseThrow();
    assertEquals("1", simple.version());
    assertEquals(0, simple.maxBatchSize());
    assertEquals(List.of(new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 16}),
        new TensorSpec("INPUT1", DataType.INT32, new long[] {-1, 16})), simple.inputs());
    assertEquals(List.of("OUTPUT0", "OUTPUT1"), simple.outputs().stream().map(TensorSpec::name).toList());
    ctx.completeNow();
  }

  @Test
  void simpleModelAddsAndSubtracts(Vertx vertx, VertxTestContext ctx) {
    infer(vertx, simpleRequest(List.of())).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals("simple", r.model());
      assertEquals("1", r.version());
      assertEquals("req-1", r.id());
      assertEquals(2, r.outputs().size());
      assertEquals(new Tensor("OUTPUT0", DataType.INT32, new long[] {1, 16}, int32(expected(1))), r.outputs().get(0));
      assertEquals(new Tensor("OUTPUT1", DataType.INT32, new long[] {1, 16}, int32(expected(-1))), r.outputs().get(1));
      ctx.completeNow();
    })));
  }

  @Test
  void configLessIdentityModelEchoesItsInput(Vertx vertx, VertxTestContext ctx) {
    byte[] data = fp32(1.5f, -0f, Float.MAX_VALUE, 3f, 1e-7f, -42f);
    InferenceRequest request = new InferenceRequest("ident", "1", "", List.of(
        new Tensor("INPUT0", DataType.FP32, new long[] {2, 3}, data)), List.of(), null);
    infer(vertx, request).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(1, r.outputs().size());
      Tensor out = r.outputs().get(0);
      assertEquals("OUTPUT0", out.name());
      assertEquals(DataType.FP32, out.datatype());
      assertArrayEquals(new long[] {2, 3}, out.shape());
      assertArrayEquals(data, out.data());
      ctx.completeNow();
    })));
  }

  @Test
  void requestedOutputSubsetReturnsOnlyThatOutput(Vertx vertx, VertxTestContext ctx) {
    infer(vertx, simpleRequest(List.of("OUTPUT1"))).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(List.of(new Tensor("OUTPUT1", DataType.INT32, new long[] {1, 16}, int32(expected(-1)))),
          r.outputs());
      ctx.completeNow();
    })));
  }

  @Test
  void unknownModelFailsWithNotFound(Vertx vertx, VertxTestContext ctx) {
    InferenceRequest request = new InferenceRequest("no_such_model", "", "", List.of(), List.of(), null);
    infer(vertx, request).onComplete(ctx.failing(e -> ctx.verify(() -> {
      ReplyException re = assertInstanceOf(ReplyException.class, e);
      assertEquals(ErrorCode.NOT_FOUND.wireId(), re.failureCode());
      assertTrue(re.getMessage().contains("'no_such_model'"), re.getMessage());
      ctx.completeNow();
    })));
  }

  @Test
  void unknownVersionFailsWithNotFound(Vertx vertx, VertxTestContext ctx) {
    infer(vertx, simpleRequest(List.of()).withVersion("7")).onComplete(ctx.failing(e -> ctx.verify(() -> {
      ReplyException re = assertInstanceOf(ReplyException.class, e);
      assertEquals(ErrorCode.NOT_FOUND.wireId(), re.failureCode());
      assertTrue(re.getMessage().contains("version 7"), re.getMessage());
      ctx.completeNow();
    })));
  }

  @Test
  void wrongShapeFailsWithInvalidArgument(Vertx vertx, VertxTestContext ctx) {
    InferenceRequest request = new InferenceRequest("simple", "", "", List.of(
        new Tensor("INPUT0", DataType.INT32, new long[] {1, 8}, new byte[32]),
        new Tensor("INPUT1", DataType.INT32, new long[] {1, 8}, new byte[32])), List.of(), null);
    infer(vertx, request).onComplete(ctx.failing(e -> ctx.verify(() -> {
      ReplyException re = assertInstanceOf(ReplyException.class, e);
      assertEquals(ErrorCode.INVALID_ARGUMENT.wireId(), re.failureCode());
      assertTrue(re.getMessage().contains("'INPUT0'"), re.getMessage());
      assertTrue(re.getMessage().contains("[1, 8]"), re.getMessage());
      ctx.completeNow();
    })));
  }

  @Test
  void closingVertxPublishesDeparture(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().<JsonObject>consumer(Addresses.DEPART, msg -> ctx.verify(() -> {
      assertEquals(ready.workerId(), msg.body().getString("worker_id"));
      ctx.completeNow();
    })).completion()
        .compose(v -> vertx.close())
        .onFailure(ctx::failNow);
  }
}
