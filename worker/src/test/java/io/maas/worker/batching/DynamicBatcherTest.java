package io.maas.worker.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The batcher's scheduling with a hand-driven clock and a runner the test completes: which requests
 * share an execution, when, and what is reported.
 */
class DynamicBatcherTest {
  private final ManualClock clock = new ManualClock();
  private final RecordingObserver observer = new RecordingObserver();
  private final FakeRunner runner = new FakeRunner();

  /** Requests keyed by their "width" (a stand-in for non-batch dims); items = their batch size. */
  static final class FakeRunner implements BatchRunner {
    final List<List<String>> batches = new ArrayList<>();
    final List<Promise<BatchResult>> running = new ArrayList<>();
    final List<List<String>> runningIds = new ArrayList<>();

    @Override
    public Object batchKey(InferenceRequest request) {
      return request.inputs().get(0).shape()[1];
    }

    @Override
    public long items(InferenceRequest request) {
      return request.inputs().get(0).shape()[0];
    }

    @Override
    public Future<BatchResult> run(List<InferenceRequest> batch) {
      batches.add(batch.stream().map(InferenceRequest::id).toList());
      Promise<BatchResult> p = Promise.promise();
      p.future().onFailure(e -> {}); // failures are asserted through the requests' futures
      running.add(p);
      runningIds.add(batch.stream().map(InferenceRequest::id).toList());
      return p.future();
    }

    /** Completes the oldest running batch: every request answered with an empty response. */
    void finishNext(long inferNanos) {
      Promise<BatchResult> p = running.remove(0);
      List<String> ids = runningIds.remove(0);
      p.complete(new BatchResult(ids.stream()
          .map(id -> BatchResult.Answer.of(new InferenceResponse("m", "1", id, List.of(), null))).toList(),
          1, inferNanos, 2));
    }

    void failNext(RuntimeException e) {
      runningIds.remove(0);
      running.remove(0).fail(e);
    }
  }

  static InferenceRequest request(String id, long batch, long width) {
    Tensor t = new Tensor("x", DataType.FP32, new long[] {batch, width}, new byte[(int) (batch * width * 4)]);
    return new InferenceRequest("m", "1", id, List.of(t), List.of(), null);
  }

  private DynamicBatcher batcher(BatchPolicy policy, int instances) {
    return new DynamicBatcher("'m' version 1", policy, instances, runner, clock, observer);
  }

  private static BatchPolicy batching(int maxBatch, long delayMicros, List<Integer> preferred, int maxQueue) {
    return new BatchPolicy(true, maxBatch, delayMicros * 1000, preferred, maxQueue);
  }

  @Test
  void withoutBatchingEachExecutionRunsOneRequest() {
    DynamicBatcher b = batcher(BatchPolicy.unbatched(10), 1);
    for (int i = 0; i < 3; i++) {
      b.submit(request("r" + i, 1, 4));
    }
    assertEquals(2, b.queued());
    runner.finishNext(0);
    runner.finishNext(0);
    runner.finishNext(0);
    assertEquals(List.of(List.of("r0"), List.of("r1"), List.of("r2")), runner.batches);
  }

  @Test
  void withZeroDelayWhatIsQueuedMergesWhenAnInstanceFreesUp() {
    DynamicBatcher b = batcher(batching(8, 0, List.of(), 10), 1);
    Future<InferenceResponse> first = b.submit(request("r0", 1, 4));
    List<Future<InferenceResponse>> later = List.of(
        b.submit(request("r1", 2, 4)), b.submit(request("r2", 1, 4)), b.submit(request("r3", 3, 4)));
    assertEquals(List.of(List.of("r0")), runner.batches, "the first request runs at once, alone");
    assertEquals(3, b.queued());
    runner.finishNext(0);
    assertTrue(first.succeeded());
    assertEquals(List.of("r1", "r2", "r3"), runner.batches.get(1));
    assertEquals(0, b.queued());
    runner.finishNext(0);
    for (int i = 0; i < later.size(); i++) {
      assertEquals("r" + (i + 1), later.get(i).result().id(), "each request gets its own answer");
    }
  }

  @Test
  void aBatchHoldsAtMostMaxBatchSizeItems() {
    DynamicBatcher b = batcher(batching(4, 0, List.of(), 20), 1);
    b.submit(request("busy", 1, 4));
    for (int i = 0; i < 6; i++) {
      b.submit(request("r" + i, 1, 4));
    }
    runner.finishNext(0);
    runner.finishNext(0);
    assertEquals(List.of(List.of("busy"), List.of("r0", "r1", "r2", "r3"), List.of("r4", "r5")), runner.batches);
  }

  @Test
  void requestsWithOtherNonBatchDimensionsWaitForALaterBatch() {
    DynamicBatcher b = batcher(batching(8, 0, List.of(), 20), 1);
    b.submit(request("busy", 1, 4));
    b.submit(request("a0", 1, 4));
    b.submit(request("b0", 1, 5));
    b.submit(request("a1", 2, 4));
    b.submit(request("b1", 1, 5));
    runner.finishNext(0);
    runner.finishNext(0);
    assertEquals(List.of(List.of("busy"), List.of("a0", "a1"), List.of("b0", "b1")), runner.batches);
  }

  @Test
  void theOldestRequestWaitsUpToTheQueueDelayForOthers() {
    DynamicBatcher b = batcher(batching(8, 500, List.of(), 20), 1);
    b.submit(request("r0", 1, 4));
    assertEquals(List.of(), runner.batches, "nothing runs before the delay with room left in the batch");
    clock.advanceMicros(300);
    b.submit(request("r1", 1, 4));
    clock.advanceMicros(199);
    assertEquals(List.of(), runner.batches, "499 µs after the first request it still waits");
    clock.advanceMicros(1);
    assertEquals(List.of(List.of("r0", "r1")), runner.batches, "at 500 µs what was gathered runs");
  }

  @Test
  void aFullBatchRunsAtOnceWithoutWaitingForTheDelay() {
    DynamicBatcher b = batcher(batching(4, 10_000, List.of(), 20), 1);
    b.submit(request("r0", 2, 4));
    b.submit(request("r1", 2, 4));
    assertEquals(List.of(List.of("r0", "r1")), runner.batches);
  }

  @Test
  void aPreferredBatchSizeRunsAsSoonAsItCanBeFormed() {
    DynamicBatcher b = batcher(batching(16, 10_000, List.of(3, 6), 20), 1);
    b.submit(request("r0", 1, 4));
    b.submit(request("r1", 1, 4));
    assertEquals(List.of(), runner.batches);
    b.submit(request("r2", 1, 4));
    assertEquals(List.of(List.of("r0", "r1", "r2")), runner.batches, "3 items is a preferred size: no wait");
    b.submit(request("r3", 4, 4));
    b.submit(request("r4", 2, 4));
    b.submit(request("r5", 1, 4));
    runner.finishNext(0);
    assertEquals(List.of("r3", "r4"), runner.batches.get(1), "6 items (the largest preferred size) caps the batch");
    assertEquals(1, b.queued());
  }

  @Test
  void aFullQueueRejectsAtOnceWithUnavailable() {
    DynamicBatcher b = batcher(batching(1, 0, List.of(), 2), 1);
    b.submit(request("busy", 1, 4));
    b.submit(request("q0", 1, 4));
    b.submit(request("q1", 1, 4));
    Future<InferenceResponse> refused = b.submit(request("q2", 1, 4));
    assertTrue(refused.failed(), "refused without waiting");
    MaasException e = assertInstanceOf(MaasException.class, refused.cause());
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("full (2 requests waiting at priority level 1)"), e.getMessage());
    assertEquals(1, observer.rejections.get());
    assertEquals(2, b.queued());
  }

  @Test
  void aFailingBatchFailsOnlyItsOwnRequests() {
    DynamicBatcher b = batcher(batching(2, 0, List.of(), 20), 1);
    Future<InferenceResponse> busy = b.submit(request("busy", 1, 4));
    Future<InferenceResponse> f0 = b.submit(request("f0", 1, 4));
    Future<InferenceResponse> f1 = b.submit(request("f1", 1, 4));
    Future<InferenceResponse> ok = b.submit(request("ok", 1, 4));
    runner.finishNext(0);
    runner.failNext(new MaasException(ErrorCode.INTERNAL, "boom"));
    runner.finishNext(0);
    assertTrue(busy.succeeded());
    assertTrue(f0.failed() && f1.failed());
    assertEquals("boom", f0.cause().getMessage());
    assertTrue(ok.succeeded(), "the next batch runs and succeeds");
    assertEquals(List.of(true, false, false, true), observer.completions.stream().map(c -> c.success()).toList());
  }

  @Test
  void theObserverGetsOneExecutionPerBatchAndOneCompletionPerRequest() {
    DynamicBatcher b = batcher(batching(8, 0, List.of(), 20), 1);
    b.submit(request("busy", 1, 4));
    clock.advanceMicros(10);
    b.submit(request("r0", 2, 4));
    b.submit(request("r1", 3, 4));
    clock.advanceMicros(40);
    runner.finishNext(7);
    clock.advanceMicros(100);
    runner.finishNext(9);
    assertEquals(List.of(new RecordingObserver.Execution(1, 1, 1, 7, 2), new RecordingObserver.Execution(2, 5, 1, 9, 2)),
        observer.executions);
    assertEquals(List.of(
        new RecordingObserver.Completion(true, 1, 0, 50_000),
        new RecordingObserver.Completion(true, 2, 40_000, 140_000),
        new RecordingObserver.Completion(true, 3, 40_000, 140_000)), observer.completions);
  }

  @Test
  void everyFreeInstanceTakesItsOwnBatch() {
    DynamicBatcher b = batcher(batching(2, 0, List.of(), 20), 2);
    for (int i = 0; i < 6; i++) {
      b.submit(request("r" + i, 1, 4));
    }
    assertEquals(List.of(List.of("r0"), List.of("r1")), runner.batches);
    runner.finishNext(0);
    runner.finishNext(0);
    assertEquals(List.of("r2", "r3"), runner.batches.get(2));
    assertEquals(List.of("r4", "r5"), runner.batches.get(3));
    assertFalse(b.queued() > 0);
  }

  @Test
  void closingFailsTheWaitingRequestsWithUnavailable() {
    DynamicBatcher b = batcher(batching(1, 0, List.of(), 20), 1);
    b.submit(request("busy", 1, 4));
    Future<InferenceResponse> waiting = b.submit(request("w", 1, 4));
    b.close();
    assertEquals(ErrorCode.UNAVAILABLE, ((MaasException) waiting.cause()).code());
  }
}
