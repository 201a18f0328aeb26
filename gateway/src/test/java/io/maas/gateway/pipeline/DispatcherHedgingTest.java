package io.maas.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bus.Addresses;
import io.maas.bus.Codecs;
import io.maas.config.GatewayConfig;
import io.maas.config.HedgeConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.cluster.Poll;
import io.maas.gateway.hedging.Hedging;
import io.maas.gateway.routing.LoadBalancer;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerGuard;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.inference.QueueTicket;
import io.maas.model.WorkerAnnouncement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's hedge on one Vert.x, against stand-in workers on the event bus that answer late, never,
 * or with a failure. The hedge delay is pinned to 50 ms (floor = cap), so no latency estimate is needed.
 */
class DispatcherHedgingTest {
  private static final long DELAY_MS = 50;
  private static final HedgeConfig HEDGE = new HedgeConfig(true, 99, 1.5, DELAY_MS, DELAY_MS, 5, 10);
  private static final GatewayConfig CONFIG = new GatewayConfig("127.0.0.1", 0, 0, 1, 1, 5000);
  private static final InferenceRequest REQUEST = new InferenceRequest("m", "1", "", List.of(), List.of(), null);

  private Vertx vertx;
  private Context context;
  private SimpleMeterRegistry registry;
  private final List<StandIn> standIns = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Codecs.register(vertx.eventBus());
    context = vertx.getOrCreateContext();
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** A worker on the event bus: counts what it receives and answers as {@code behaviour} says. */
  private final class StandIn {
    final AtomicInteger received = new AtomicInteger();
    /** The queue tickets of what it received, and the ids it was told to cancel. */
    final List<QueueTicket> tickets = new CopyOnWriteArrayList<>();
    final List<String> cancelled = new CopyOnWriteArrayList<>();
    final WorkerEndpoint endpoint;

    /** @param queueDepth its reported load: the balancer picks the lower, so it orders the picks */
    StandIn(String id, int queueDepth, BiConsumer<Vertx, Message<InferenceRequest>> behaviour) {
      WorkerAnnouncement a = new WorkerAnnouncement(id, "node", Addresses.worker(id), "cpu", List.of(), 3000,
          queueDepth, false, 1);
      endpoint = new WorkerEndpoint(a, new WorkerGuard(id, CONFIG), System.nanoTime());
      vertx.eventBus().<InferenceRequest>consumer(a.address(), m -> {
        received.incrementAndGet();
        tickets.add(QueueTicket.fromHeader(m.headers().get(Addresses.TICKET_HEADER)));
        behaviour.accept(vertx, m);
      }).completion().await();
      vertx.eventBus().<String>consumer(Addresses.workerCancel(id), m -> cancelled.add(m.body())).completion().await();
      standIns.add(this);
    }
  }

  private static BiConsumer<Vertx, Message<InferenceRequest>> answersAfter(long ms) {
    return (v, m) -> v.setTimer(Math.max(1, ms), t -> m.reply(new InferenceResponse("m", "1", "", List.of(), null)));
  }

  private static BiConsumer<Vertx, Message<InferenceRequest>> failsAfter(long ms, ErrorCode code) {
    return (v, m) -> v.setTimer(Math.max(1, ms), t -> m.fail(code.wireId(), "stand-in fails with " + code));
  }

  /** Holds the request and never answers: a stopped process, a stuck device. */
  private static BiConsumer<Vertx, Message<InferenceRequest>> neverAnswers() {
    return (v, m) -> { };
  }

  private Dispatcher dispatcher(HedgeConfig hedge) {
    return new Dispatcher(vertx, new LoadBalancer(new SplittableRandom(3)), System::nanoTime,
        new Hedging(hedge, registry));
  }

  /** One dispatch on the context (as the gateway runs it), over every stand-in; waits for its outcome. */
  private Outcome dispatch(Dispatcher dispatcher, long deadlineMillis) throws Exception {
    return dispatch(dispatcher, deadlineMillis, Promise.<Void>promise().future());
  }

  private Outcome dispatch(Dispatcher dispatcher, long deadlineMillis, Future<Void> clientGone) throws Exception {
    List<WorkerEndpoint> candidates = standIns.stream().map(s -> s.endpoint).toList();
    Promise<Served> result = Promise.promise();
    long start = System.nanoTime();
    context.runOnContext(v -> dispatcher.dispatch(REQUEST, candidates,
        new Deadline(System.nanoTime(), deadlineMillis * 1_000_000L, false), "r1",
        new Dispatcher.Queueing("key1", 2.5, 1, 0, clientGone)).onComplete(result));
    try {
      Served s = result.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new Outcome(s.workerId(), null, (System.nanoTime() - start) / 1_000_000);
    } catch (ExecutionException e) {
      return new Outcome(null, ((MaasException) e.getCause()).code(), (System.nanoTime() - start) / 1_000_000);
    }
  }

  private record Outcome(String worker, ErrorCode error, long millis) {}

  private double count(String meter) {
    return registry.find(meter).tag("model", "m").counter() == null ? 0
        : registry.find(meter).tag("model", "m").counter().count();
  }

  @Test
  void aRequestItsWorkerDoesNotAnswerIsAnsweredByTheHedgeOnTheOtherWorker() throws Exception {
    StandIn frozen = new StandIn("frozen", 0, neverAnswers());
    StandIn healthy = new StandIn("healthy", 5, answersAfter(0));

    Outcome o = dispatch(dispatcher(HEDGE), 5000);

    assertEquals("healthy", o.worker(), o.toString());
    assertTrue(o.millis() >= DELAY_MS && o.millis() < 2000, "answered after " + o.millis() + " ms");
    assertEquals(1, frozen.received.get());
    assertEquals(1, healthy.received.get());
    assertEquals(1.0, count("maas.gateway.hedges"));
    assertEquals(1.0, count("maas.gateway.hedge.wins"));
  }

  @Test
  void withHedgingOffTheSameRequestWaitsForItsDeadline() throws Exception {
    new StandIn("frozen", 0, neverAnswers());
    StandIn healthy = new StandIn("healthy", 5, answersAfter(0));

    Outcome o = dispatch(dispatcher(HEDGE.withEnabled(false)), 600);

    assertEquals(ErrorCode.DEADLINE_EXCEEDED, o.error(), o.toString());
    assertEquals(0, healthy.received.get());
    assertEquals(0.0, count("maas.gateway.hedges"));
  }

  @Test
  void aWorkerThatAnswersWithinTheDelayIsNotHedgedAndItsAnswerDoesNotWaitForTheDelay() throws Exception {
    StandIn fast = new StandIn("fast", 0, answersAfter(1));
    StandIn other = new StandIn("other", 5, answersAfter(0));
    Dispatcher d = dispatcher(new HedgeConfig(true, 99, 1.5, 500, 500, 5, 10));

    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      assertEquals("fast", dispatch(d, 5000).worker());
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    // had an answer waited for its hedge timer, 20 requests would take 10 s at least
    assertTrue(millis < 5000, "20 requests answered in 1 ms each took " + millis + " ms");
    assertEquals(0, other.received.get());
    assertEquals(20, fast.received.get());
    assertEquals(0.0, count("maas.gateway.hedges"));
  }

  @Test
  void whenTheBudgetIsSpentTheRequestWaitsForItsFirstWorker() throws Exception {
    StandIn slow = new StandIn("slow", 0, answersAfter(300));
    StandIn other = new StandIn("other", 5, answersAfter(0));
    Dispatcher d = dispatcher(new HedgeConfig(true, 99, 1.5, DELAY_MS, DELAY_MS, 1, 1)); // one hedge, then 1 %

    assertEquals("other", dispatch(d, 5000).worker(), "the burst's one hedge");
    Poll.until(Duration.ofSeconds(10), "the loser finished", () -> slow.endpoint.inFlight() == 0);
    Outcome second = dispatch(d, 5000);

    assertEquals("slow", second.worker(), "no hedge left: " + second);
    assertTrue(second.millis() >= 300, second.toString());
    assertEquals(1, other.received.get());
    assertEquals(1.0, count("maas.gateway.hedges"));
    assertEquals(1.0, count("maas.gateway.hedges.denied"));
  }

  @Test
  void theHedgeIsTheOneRetryNoThirdWorkerIsTriedWhenBothFail() throws Exception {
    StandIn first = new StandIn("first", 0, failsAfter(300, ErrorCode.UNAVAILABLE));
    StandIn second = new StandIn("second", 5, failsAfter(100, ErrorCode.UNAVAILABLE));
    StandIn third = new StandIn("third", 9, answersAfter(0));

    Outcome o = dispatch(dispatcher(HEDGE), 5000);

    assertEquals(ErrorCode.UNAVAILABLE, o.error(), o.toString());
    assertEquals(1, first.received.get());
    assertEquals(1, second.received.get());
    assertEquals(0, third.received.get(), "a request is sent twice at most");
  }

  @Test
  void aFailureBeforeTheDelayIsRetriedOnceAndThenNotHedged() throws Exception {
    StandIn refusing = new StandIn("refusing", 0, failsAfter(1, ErrorCode.UNAVAILABLE));
    StandIn slow = new StandIn("slow", 5, answersAfter(200));
    StandIn third = new StandIn("third", 9, answersAfter(0));

    Outcome o = dispatch(dispatcher(HEDGE), 5000);

    assertEquals("slow", o.worker(), "the retry is not hedged: " + o);
    assertEquals(1, refusing.received.get());
    assertEquals(0, third.received.get());
    assertEquals(0.0, count("maas.gateway.hedges"));
  }

  @Test
  void aClientErrorIsFinalAtOnceItIsNeitherRetriedNorWaitedOnAHedge() throws Exception {
    StandIn invalid = new StandIn("invalid", 0, failsAfter(1, ErrorCode.INVALID_ARGUMENT));
    StandIn other = new StandIn("other", 5, answersAfter(0));
    Dispatcher d = dispatcher(HEDGE);

    assertEquals(ErrorCode.INVALID_ARGUMENT, dispatch(d, 5000).error());
    assertEquals(0, other.received.get(), "a client error is not retried elsewhere");

    standIns.clear();
    StandIn lateInvalid = new StandIn("late-invalid", 0, failsAfter(150, ErrorCode.NOT_FOUND));
    new StandIn("frozen", 5, neverAnswers());
    Outcome o = dispatch(d, 5000);
    assertEquals(ErrorCode.NOT_FOUND, o.error(), o.toString());
    assertTrue(o.millis() < 2000, "the client error ended the request, the frozen hedge was not awaited: " + o);
    assertEquals(1, lateInvalid.received.get());
  }

  @Test
  void theLoserIsToldToCancelWhatItStillHolds() throws Exception {
    StandIn frozen = new StandIn("frozen", 0, neverAnswers());
    StandIn healthy = new StandIn("healthy", 5, answersAfter(0));

    assertEquals("healthy", dispatch(dispatcher(HEDGE), 5000).worker());

    QueueTicket sent = frozen.tickets.get(0);
    assertEquals("key1", sent.tenant());
    assertEquals(2.5, sent.weight());
    Poll.until(Duration.ofSeconds(10), "the loser got a cancel naming its ticket",
        () -> frozen.cancelled.equals(List.of(sent.id())));
    assertTrue(healthy.cancelled.isEmpty(), "the winner is not cancelled");
    assertTrue(!sent.id().equals(healthy.tickets.get(0).id()), "each send has its own ticket");
  }

  @Test
  void aClientThatGoesAwayCancelsItsRequestOnItsWorkerAndOneThatStaysDoesNot() throws Exception {
    StandIn slow = new StandIn("slow", 0, failsAfter(200, ErrorCode.CANCELLED));
    Promise<Void> gone = Promise.promise();
    vertx.setTimer(20, t -> gone.complete());

    Outcome o = dispatch(dispatcher(HedgeConfig.DEFAULT), 5000, gone.future());

    assertEquals(ErrorCode.CANCELLED, o.error());
    assertEquals(List.of(slow.tickets.get(0).id()), slow.cancelled);
    assertEquals(0.0, count("maas.gateway.hedges"));

    StandIn fast = new StandIn("fast", -1, answersAfter(1));
    Promise<Void> later = Promise.promise();
    assertEquals("fast", dispatch(dispatcher(HedgeConfig.DEFAULT), 5000, later.future()).worker());
    later.complete(); // e.g. HTTP/2 closes every stream once answered
    Poll.until(Duration.ofSeconds(5), "the answer released its worker", () -> fast.endpoint.inFlight() == 0);
    assertTrue(fast.cancelled.isEmpty(), "nothing is cancelled once answered");
  }

  @Test
  void theLoserFinishesInTheBackgroundAndReleasesItsWorker() throws Exception {
    StandIn late = new StandIn("late", 0, answersAfter(400));
    new StandIn("healthy", 5, answersAfter(0));

    Outcome o = dispatch(dispatcher(HEDGE), 5000);

    assertEquals("healthy", o.worker());
    assertTrue(o.millis() < 400, o.toString());
    assertEquals(1, late.endpoint.inFlight(), "the loser is still awaited");
    Poll.until(Duration.ofSeconds(10), "the loser's answer released its worker", () -> late.endpoint.inFlight() == 0);
  }

  @Test
  void noHedgeWhenTheDelayWouldOutlastTheDeadline() throws Exception {
    new StandIn("frozen", 0, neverAnswers());
    StandIn other = new StandIn("other", 5, answersAfter(0));

    Outcome o = dispatch(dispatcher(HEDGE), 40); // a 40 ms deadline: shorter than the 50 ms delay

    assertEquals(ErrorCode.DEADLINE_EXCEEDED, o.error(), o.toString());
    assertEquals(0, other.received.get());
  }
}
