package io.maas.worker.batching;

import static io.maas.worker.batching.DynamicBatcherTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceResponse;
import io.maas.inference.QueueTicket;
import io.maas.worker.stats.ModelObserver;
import io.maas.worker.stats.ModelObservers;
import io.maas.worker.stats.QueueOutcome;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The worker queue's order under overload, with a hand-driven clock and a runner the test completes: priority
 * levels, fair shares between keys (start-time fair queuing), the push-out of a full queue, queue timeouts
 * (REJECT and DELAY), deadlines and cancellation. Every request that must not run is checked against the batches
 * the runner saw.
 */
class FairQueueingTest {
  private final ManualClock clock = new ManualClock();
  private final RecordingObserver observer = new RecordingObserver();
  private final DynamicBatcherTest.FakeRunner runner = new DynamicBatcherTest.FakeRunner();
  private final Map<QueueOutcome, AtomicInteger> outcomes = new HashMap<>();
  private int tickets;

  private DynamicBatcher batcher(BatchPolicy policy) {
    ModelObserver counting = new ModelObserver() {
      @Override
      public void dequeued(String tenant, int level, long waitedNanos, QueueOutcome outcome) {
        outcomes.computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
      }
    };
    return new DynamicBatcher("'m' version 1", policy, 1, runner, clock, ModelObservers.both(observer, counting));
  }

  private Queueing ticket(String key, double weight, int priority, long timeoutMicros, long remainingMillis) {
    return Queueing.of(new QueueTicket("t" + ++tickets, key, weight, priority, timeoutMicros, remainingMillis),
        clock.nanoTime());
  }

  private Queueing key(String key, double weight) {
    return ticket(key, weight, 0, 0, 0);
  }

  private static BatchPolicy unbatched(QueueLevels levels) {
    return new BatchPolicy(false, 0, 0, List.of(), levels);
  }

  private static QueueLevels oneLevel(int maxQueue) {
    return QueueLevels.single(QueuePolicy.bounded(maxQueue));
  }

  private int outcome(QueueOutcome o) {
    return outcomes.getOrDefault(o, new AtomicInteger()).get();
  }

  /** Runs every execution to the end, one after the other; the ids in the order they ran. */
  private List<String> runAll() {
    while (!runner.running.isEmpty()) {
      runner.finishNext(0);
    }
    return runner.batches.stream().flatMap(List::stream).toList();
  }

  @Test
  void aLightKeyIsServedNextThoughAHeavyKeyQueuedFirst() {
    DynamicBatcher b = batcher(unbatched(oneLevel(100)));
    for (int i = 0; i < 20; i++) {
      b.submit(request("a" + i, 1, 4), key("A", 1));
    }
    b.submit(request("b0", 1, 4), key("B", 1));
    b.submit(request("b1", 1, 4), key("B", 1));
    List<String> order = runAll();
    assertEquals(22, order.size(), "work-conserving: every request ran, one execution after the other");
    assertTrue(order.indexOf("b0") <= 2, "B's first request runs within one of A's, not after A's 20: " + order);
    assertTrue(order.indexOf("b1") <= 4, "B's second one too: " + order);
  }

  @Test
  void keysSaturatingTheQueueAreServedInProportionToTheirWeights() {
    DynamicBatcher b = batcher(unbatched(oneLevel(1000)));
    for (int i = 0; i < 300; i++) {
      b.submit(request("a" + i, 1, 4), key("A", 3));
      b.submit(request("b" + i, 1, 4), key("B", 1));
    }
    // the first 200 executions, while both keys still have requests waiting
    List<String> first = runAll().subList(0, 200);
    long a = first.stream().filter(id -> id.startsWith("a")).count();
    long bCount = first.size() - a;
    assertEquals(3.0, (double) a / bCount, 0.1, "served 3:1 (A " + a + ", B " + bCount + ")");
  }

  @Test
  void costIsItemsNotRequests() {
    DynamicBatcher b = batcher(unbatched(oneLevel(1000)));
    for (int i = 0; i < 100; i++) {
      b.submit(request("big" + i, 4, 4), key("BIG", 1));
      for (int j = 0; j < 4; j++) {
        b.submit(request("s" + i + "-" + j, 1, 4), key("SMALL", 1));
      }
    }
    List<String> first = runAll().subList(0, 100);
    long big = first.stream().filter(id -> id.startsWith("big")).count();
    long small = first.size() - big;
    // equal items: 4 single-item requests for each 4-item request
    assertEquals(4.0, (double) small / big, 0.5, "items served evenly (big " + big + ", small " + small + ")");
  }

  @Test
  void batchesMixKeysInFairOrder() {
    DynamicBatcher b = batcher(new BatchPolicy(true, 4, 0, List.of(), oneLevel(100)));
    b.submit(request("busy", 1, 4), key("A", 1));
    for (int i = 0; i < 8; i++) {
      b.submit(request("a" + i, 1, 4), key("A", 1));
    }
    b.submit(request("b0", 1, 4), key("B", 1));
    runner.finishNext(0);
    assertEquals(List.of("a0", "b0", "a1", "a2"), runner.batches.get(1), "B's request joins the next batch");
  }

  @Test
  void aHigherPriorityLevelRunsFirstWhateverItsArrival() {
    QueueLevels levels = new QueueLevels(List.of(QueuePolicy.bounded(100), QueuePolicy.bounded(100)), 2);
    DynamicBatcher b = batcher(unbatched(levels));
    b.submit(request("busy", 1, 4), ticket("A", 1, 2, 0, 0));
    for (int i = 0; i < 5; i++) {
      b.submit(request("low" + i, 1, 4), ticket("A", 1, 0, 0, 0)); // 0: the default level, 2
    }
    b.submit(request("high", 1, 4), ticket("B", 1, 1, 0, 0));
    b.submit(request("beyond", 1, 4), ticket("B", 1, 9, 0, 0)); // a level beyond the last is the last
    // level 1 first; at level 2, B's request takes its fair turn against A's backlog
    assertEquals(List.of("busy", "high", "low0", "beyond", "low1", "low2", "low3", "low4"), runAll());
  }

  @Test
  void aFullLevelPushesOutTheHeaviestKeysNewestRequestForALighterKey() {
    DynamicBatcher b = batcher(unbatched(oneLevel(4)));
    b.submit(request("busy", 1, 4), key("A", 1));
    List<Future<InferenceResponse>> a = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      a.add(b.submit(request("a" + i, 1, 4), key("A", 1)));
    }
    Future<InferenceResponse> refused = b.submit(request("a4", 1, 4), key("A", 1));
    assertTrue(refused.failed(), "the heaviest key's own request finds the queue full");
    assertEquals(ErrorCode.UNAVAILABLE, ((MaasException) refused.cause()).code());

    Future<InferenceResponse> light = b.submit(request("b0", 1, 4), key("B", 1));
    assertFalse(light.isComplete(), "the lighter key's request is queued");
    assertTrue(a.get(3).failed(), "the heaviest key's newest request gave its place");
    MaasException pushed = assertInstanceOf(MaasException.class, a.get(3).cause());
    assertEquals(ErrorCode.UNAVAILABLE, pushed.code());
    assertTrue(pushed.getMessage().contains("smaller share"), pushed.getMessage());
    assertEquals(1, outcome(QueueOutcome.PUSHED_OUT));
    List<String> ran = runAll();
    assertTrue(ran.contains("b0") && !ran.contains("a3") && !ran.contains("a4"), ran.toString());
  }

  @Test
  void aRequestPastItsQueueTimeoutIsRefusedWithoutRunningWhileTheDeviceIsBusy() {
    QueueLevels levels = QueueLevels.single(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 50_000, false, 100));
    DynamicBatcher b = batcher(unbatched(levels));
    b.submit(request("busy", 1, 4), key("A", 1));
    Future<InferenceResponse> waiting = b.submit(request("late", 1, 4), key("A", 1));
    clock.advanceMicros(49_000);
    assertFalse(waiting.isComplete());
    clock.advanceMicros(1_000);
    assertTrue(waiting.failed(), "answered at its timeout, though the running execution has not ended");
    MaasException e = assertInstanceOf(MaasException.class, waiting.cause());
    assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
    assertTrue(e.getMessage().contains("queue timeout of 50000 µs"), e.getMessage());
    assertEquals(List.of("busy"), runAll(), "the expired request never ran");
    assertEquals(1, outcome(QueueOutcome.TIMED_OUT));
  }

  @Test
  void aRequestsOwnTimeoutReplacesTheLevelsWhereOverridesAreAllowed() {
    QueueLevels levels = QueueLevels.single(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 1_000_000, true, 100));
    DynamicBatcher b = batcher(unbatched(levels));
    b.submit(request("busy", 1, 4), key("A", 1));
    Future<InferenceResponse> own = b.submit(request("own", 1, 4), ticket("A", 1, 0, 10_000, 0));
    Future<InferenceResponse> level = b.submit(request("level", 1, 4), key("A", 1));
    clock.advanceMicros(10_000);
    assertTrue(own.failed(), "10 ms: its own timeout");
    assertFalse(level.isComplete(), "the level's 1 s stands for the other");
  }

  @Test
  void delayMovesATimedOutRequestBehindItsLevelsOthers() {
    QueueLevels levels = QueueLevels.single(new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, 10_000, false, 100));
    DynamicBatcher b = batcher(unbatched(levels));
    b.submit(request("busy", 1, 4), key("A", 1));
    b.submit(request("old", 1, 4), key("A", 1));
    clock.advanceMicros(10_000);
    b.submit(request("new", 1, 4), key("A", 1));
    assertEquals(List.of("busy", "new", "old"), runAll(), "DELAY: the timed-out request runs after the others");
    assertEquals(0, outcome(QueueOutcome.TIMED_OUT));
  }

  @Test
  void aRequestWhoseDeadlinePassesInTheQueueNeverRuns() {
    DynamicBatcher b = batcher(unbatched(oneLevel(100)));
    b.submit(request("busy", 1, 4), key("A", 1));
    Future<InferenceResponse> doomed = b.submit(request("doomed", 1, 4), ticket("A", 1, 0, 0, 20));
    clock.advanceMicros(20_000);
    assertTrue(doomed.failed());
    MaasException e = assertInstanceOf(MaasException.class, doomed.cause());
    assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
    assertTrue(e.getMessage().contains("deadline passed"), e.getMessage());
    assertEquals(List.of("busy"), runAll());
  }

  @Test
  void aCancelledRequestLeavesTheQueueAndNeverRuns() {
    DynamicBatcher b = batcher(new BatchPolicy(true, 8, 0, List.of(), oneLevel(100)));
    Queueing running = key("A", 1);
    Future<InferenceResponse> first = b.submit(request("busy", 1, 4), running);
    Queueing gone = key("A", 1);
    Future<InferenceResponse> cancelled = b.submit(request("gone", 1, 4), gone);
    b.submit(request("stays", 1, 4), key("A", 1));
    gone.cancel();
    running.cancel(); // already running: it finishes
    assertTrue(cancelled.failed());
    assertEquals(ErrorCode.CANCELLED, ((MaasException) cancelled.cause()).code());
    assertEquals(1, b.queued());
    assertEquals(List.of("busy", "stays"), runAll(), "the next batch does not include it");
    assertTrue(first.succeeded(), "a request cancelled once it ran is answered");
    assertEquals(1, outcome(QueueOutcome.CANCELLED));
  }

  @Test
  void aCancellationBeforeTheRequestIsQueuedRefusesIt() {
    DynamicBatcher b = batcher(unbatched(oneLevel(100)));
    Queueing gone = key("A", 1);
    gone.cancel();
    Future<InferenceResponse> f = b.submit(request("gone", 1, 4), gone);
    assertEquals(ErrorCode.CANCELLED, ((MaasException) f.cause()).code());
    assertTrue(runner.batches.isEmpty());
  }
}
