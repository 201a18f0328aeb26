package io.maas.worker.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.SimConfig;
import io.maas.error.ErrorCode;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.maas.model.TensorSpec;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.TestWorkers;
import io.maas.worker.TestWorkers.Deployed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The sim device on a real worker verticle: real signatures and validation, simulated time and outputs. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class SimDeviceTest {

  @TempDir
  Path dir;

  private Deployed deploy(Vertx vertx, SimConfig sim, int identInstances) throws Exception {
    return TestWorkers.deploy(vertx, TestWorkers.simWorker(TestWorkers.repository(dir, identInstances), sim, 0))
        .await(20, TimeUnit.SECONDS);
  }

  private static InferenceRequest simple(long[] shape) {
    int n = (int) (shape[0] * shape[1]);
    return new InferenceRequest("simple", "", "req-1", List.of(
        new Tensor("INPUT0", DataType.INT32, shape, new byte[n * 4]),
        new Tensor("INPUT1", DataType.INT32, shape, new byte[n * 4])), List.of(), null);
  }

  private static InferenceRequest ident(int batch) {
    return new InferenceRequest("ident", "", "", List.of(
        new Tensor("INPUT0", DataType.FP32, new long[] {batch, 3}, new byte[batch * 12])), List.of(), null);
  }

  private static Future<InferenceResponse> infer(Vertx vertx, Deployed w, InferenceRequest r) {
    return vertx.eventBus().<InferenceResponse>request(w.ready().address(), r).map(m -> m.body());
  }

  /** Runs the requests at once and returns how long the last took to answer, in ms. */
  private static long allAtOnce(Vertx vertx, Deployed w, List<InferenceRequest> requests) throws Exception {
    long start = System.nanoTime();
    List<Future<InferenceResponse>> all = new ArrayList<>();
    requests.forEach(r -> all.add(infer(vertx, w, r)));
    Future.all(all).await(20, TimeUnit.SECONDS);
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void simSlotAnnouncesDeviceSimAndTheModelsRealSignatures(Vertx vertx) throws Exception {
    Deployed w = deploy(vertx, SimConfig.DEFAULT, 1);
    assertEquals("sim", w.ready().device());
    ModelStatus simple = w.ready().models().stream().filter(s -> s.name().equals("simple")).findFirst().orElseThrow();
    assertEquals(List.of(new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 16}),
        new TensorSpec("INPUT1", DataType.INT32, new long[] {-1, 16})), simple.inputs());
    ModelStatus ident = w.ready().models().stream().filter(s -> s.name().equals("ident")).findFirst().orElseThrow();
    assertEquals(8, ident.maxBatchSize());
  }

  @Test
  void simAnswersZerosOfTheDeclaredShapesWithTheRequestsBatch(Vertx vertx) throws Exception {
    Deployed w = deploy(vertx, SimConfig.DEFAULT, 1);
    InferenceResponse r = infer(vertx, w, simple(new long[] {3, 16})).await(10, TimeUnit.SECONDS);
    assertEquals("simple", r.model());
    assertEquals("1", r.version());
    assertEquals("req-1", r.id());
    assertEquals(List.of("OUTPUT0", "OUTPUT1"), r.outputs().stream().map(Tensor::name).toList());
    assertEquals(DataType.INT32, r.outputs().get(0).datatype());
    assertArrayEquals(new long[] {3, 16}, r.outputs().get(0).shape());
    assertArrayEquals(new byte[3 * 16 * 4], r.outputs().get(0).data());
    InferenceResponse batched = infer(vertx, w, ident(5)).await(10, TimeUnit.SECONDS);
    assertArrayEquals(new long[] {5, 3}, batched.outputs().get(0).shape());
  }

  @Test
  void simValidatesRequestsLikeARealSlot(Vertx vertx) throws Exception {
    Deployed w = deploy(vertx, SimConfig.DEFAULT, 1);
    Throwable e = assertThrowsFuture(infer(vertx, w, simple(new long[] {1, 8})));
    ReplyException re = assertInstanceOf(ReplyException.class, e);
    assertEquals(ErrorCode.INVALID_ARGUMENT.wireId(), re.failureCode());
    assertEquals("input 'INPUT0': expected shape [-1, 16], got [1, 8] (-1 is any size)", re.getMessage());
    ReplyException overBatch = assertInstanceOf(ReplyException.class, assertThrowsFuture(infer(vertx, w, ident(9))));
    assertEquals(ErrorCode.INVALID_ARGUMENT.wireId(), overBatch.failureCode());
  }

  @Test
  void instanceCountBoundsConcurrency(Vertx vertx) throws Exception {
    Deployed w = deploy(vertx, new SimConfig(200, 0, 0), 2);
    long fourOnTwo = allAtOnce(vertx, w, List.of(ident(1), ident(1), ident(1), ident(1)));
    assertTrue(fourOnTwo >= 400, "4 requests on 2 instances of 200 ms took " + fourOnTwo + " ms");
    assertTrue(fourOnTwo < 800, "4 requests on 2 instances of 200 ms took " + fourOnTwo + " ms");
  }

  @Test
  void holdTimeIsBasePlusPerItemTimesBatch(Vertx vertx) throws Exception {
    Deployed w = deploy(vertx, new SimConfig(50, 60, 0), 1);
    long batchOf6 = allAtOnce(vertx, w, List.of(ident(6)));
    assertTrue(batchOf6 >= 50 + 6 * 60, "a batch of 6 took " + batchOf6 + " ms");
  }

  @Test
  void failForMsFailsEveryRequestWithInternalThenHeals(Vertx vertx) throws Exception {
    long deployed = System.nanoTime();
    Deployed w = deploy(vertx, new SimConfig(1, 0, 1500), 1);
    ReplyException early = assertInstanceOf(ReplyException.class, assertThrowsFuture(infer(vertx, w, ident(1))));
    assertEquals(ErrorCode.INTERNAL.wireId(), early.failureCode());
    assertTrue(early.getMessage().contains("sim_fail_for_ms"), early.getMessage());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    InferenceResponse healed = null;
    while (healed == null && System.nanoTime() < deadline) {
      healed = vertx.timer(50).compose(t -> infer(vertx, w, ident(1))).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    }
    long healedAfter = (System.nanoTime() - deployed) / 1_000_000;
    assertTrue(healed != null, "the sim slot never healed");
    assertTrue(healedAfter >= 1500, "healed after " + healedAfter + " ms");
  }

  private static Throwable assertThrowsFuture(Future<?> f) throws Exception {
    return f.transform(ar -> Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
  }
}
