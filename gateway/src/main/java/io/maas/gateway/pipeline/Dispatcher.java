package io.maas.gateway.pipeline;

import io.maas.bus.Addresses;
import io.maas.error.MaasException;
import io.maas.gateway.hedging.Hedging;
import io.maas.gateway.hedging.ModelHedge;
import io.maas.gateway.routing.LoadBalancer;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerGuard;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.inference.QueueTicket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one request to one of the workers holding its model, guarded hop by hop.
 *
 * <ol>
 *   <li>Pick: power of two choices on load among the candidates; a pick whose breaker is open or whose
 *       bulkhead is full is dropped and another picked (nothing was sent: no retry is spent).
 *   <li>Send on the worker's own address with the request's remaining deadline as the send timeout.
 *   <li>A failure before the worker can have started it ({@link DispatchFailure#retryable()}) is retried
 *       once on another worker, within what is left of the deadline; so is a request whose worker is lost
 *       while it holds it (its member left, or it stopped announcing): the registry fails such answers at
 *       once instead of letting them wait out their deadline, and inference is idempotent. Any other failure
 *       is final. One retry is enough: it covers one worker's death, and a request whose second worker dies
 *       too meets a cluster in trouble, where retrying on would multiply the load it is failing under.
 *   <li>With hedging on ({@code gateway.hedge_enabled}), a request whose worker has not answered after the
 *       model's hedge delay is sent to a second worker too, if the model's hedge budget allows, and the first
 *       answer wins; the other is cancelled on its worker (if still queued there it never runs) and ignored. The hedge is
 *       the request's one retry: once it is sent, nothing else is. A client error from either ends the
 *       request at once (every worker would say the same); the request fails only when both tries failed.
 * </ol>
 * Nothing here blocks: the guard's permissions answer at once, outcomes are reported on reply.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  private final Vertx vertx;
  private final LoadBalancer balancer;
  private final LongSupplier clock;
  private final Hedging hedging;
  /** Queue tickets' ids: this dispatcher's random prefix and a count, unique in the cluster. */
  private final String ticketPrefix = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + "-";
  private final AtomicLong tickets = new AtomicLong();

  Dispatcher(Vertx vertx, LoadBalancer balancer, LongSupplier clock, Hedging hedging) {
    this.vertx = vertx;
    this.balancer = balancer;
    this.clock = clock;
    this.hedging = hedging;
  }

  /**
   * One request on its way: the workers not tried yet, its deadline, and its model's hedging (null when off).
   */
  private record Route(InferenceRequest request, List<WorkerEndpoint> untried, Deadline deadline, String requestId,
      ModelHedge hedge, Queueing queueing) {}

  /**
   * How the request is to be queued on its worker, and whether its client is still there.
   *
   * @param tenant its key's id ("" without keys)
   * @param weight its key's weight
   * @param priority its priority level (1 highest)
   * @param timeoutMicros its own {@code timeout} parameter, 0 when it set none
   * @param clientGone completes when the client goes away: a send not yet answered is cancelled on its worker
   */
  record Queueing(String tenant, double weight, int priority, long timeoutMicros, Future<Void> clientGone) {}

  /** What one send to one worker gave: its response (and how long it took), or what its failure means. */
  private record Try(Served served, long nanos, DispatchFailure failure) {
    boolean ok() {
      return served != null;
    }
  }

  Future<Served> dispatch(InferenceRequest request, List<WorkerEndpoint> candidates, Deadline deadline,
      String requestId, Queueing queueing) {
    Route route = new Route(request, new ArrayList<>(candidates), deadline, requestId,
        hedging.forModel(request.model()), queueing);
    long hedgeDelay = route.hedge() == null ? -1 : route.hedge().requestDispatched();
    long remaining = deadline.remainingMillis(clock.getAsLong());
    if (remaining <= 0) {
      return Future.failedFuture(deadline.expired());
    }
    Admitted first = admit(route);
    if (first.worker() == null) {
      return Future.failedFuture(first.refusal());
    }
    Promise<Void> abandonPrimary = Promise.promise();
    Future<Try> primary = send(route, first, abandonPrimary);
    if (hedgeDelay < 0 || hedgeDelay >= remaining || route.untried().isEmpty()) {
      return primary.compose(t -> settleOrRetry(route, t));
    }
    return hedged(route, primary, abandonPrimary, hedgeDelay);
  }

  /** The first try's outcome when no hedge was sent: its answer, or the one retry when that is safe. */
  private Future<Served> settleOrRetry(Route route, Try t) {
    if (t.ok()) {
      return Future.succeededFuture(answered(route, t));
    }
    if (!t.failure().retryable()) {
      return Future.failedFuture(t.failure().error());
    }
    LOG.debug("request {}: {}; trying another worker", route.requestId(), t.failure().error().getMessage());
    return retry(route, t.failure());
  }

  private Future<Served> retry(Route route, DispatchFailure firstFailure) {
    if (route.deadline().remainingMillis(clock.getAsLong()) <= 0) {
      return Future.failedFuture(route.deadline().expired());
    }
    Admitted next = admit(route);
    if (next.worker() == null) {
      return Future.failedFuture(firstFailure.error());
    }
    return send(route, next, Promise.promise()).compose(t -> t.ok()
        ? Future.succeededFuture(answered(route, t))
        : Future.failedFuture(t.failure().error()));
  }

  /**
   * The first try, and a hedge if it has not answered after {@code delayMillis}. If the first try ends before
   * (the timer is cancelled), or no hedge can be sent then, it goes on alone: with its one retry unspent.
   */
  private Future<Served> hedged(Route route, Future<Try> primary, Promise<Void> abandonPrimary, long delayMillis) {
    Timer due = vertx.timer(delayMillis, TimeUnit.MILLISECONDS);
    primary.onComplete(done -> due.cancel());
    Future<Admitted> second = due.transform(fired -> Future.succeededFuture(
        fired.succeeded() && !primary.isComplete() ? hedgeWorker(route, delayMillis) : Admitted.NONE));
    return second.compose(hedge -> hedge.worker() == null
        ? primary.compose(t -> settleOrRetry(route, t))
        : firstAnswer(route, primary, abandonPrimary, hedge));
  }

  /** A worker for the hedge, if the budget holds a hedge and another worker can take it. */
  private Admitted hedgeWorker(Route route, long delayMillis) {
    if (route.deadline().remainingMillis(clock.getAsLong()) <= 0 || !route.hedge().trySpend()) {
      return Admitted.NONE;
    }
    Admitted second = admit(route);
    if (second.worker() == null) {
      route.hedge().refund();
      return Admitted.NONE;
    }
    route.hedge().hedgeSent();
    LOG.debug("request {}: no answer within {} ms; hedging it on {}", route.requestId(), delayMillis,
        second.worker().workerId());
    return second;
  }

  /**
   * Two tries in flight: the first response wins; a client error ends it; other failures wait for the other. The
   * loser is cancelled on its worker once the race is decided: if it is still queued there, it never runs.
   */
  private Future<Served> firstAnswer(Route route, Future<Try> primary, Promise<Void> abandonPrimary,
      Admitted hedgeWorker) {
    Promise<Void> abandonHedge = Promise.promise();
    Future<Try> hedge = send(route, hedgeWorker, abandonHedge);
    Promise<Served> result = Promise.promise();
    primary.onSuccess(t -> settle(route, result, t, hedge, false));
    hedge.onSuccess(t -> settle(route, result, t, primary, true));
    return result.future().andThen(decided -> {
      abandonPrimary.tryComplete();
      abandonHedge.tryComplete();
    });
  }

  /**
   * Settles the race with this try's outcome if it decides it (both tries end on the gateway's context, one after
   * the other). The winner is counted before the answer goes on, so that whoever sees the answer sees the count.
   */
  private static void settle(Route route, Promise<Served> result, Try t, Future<Try> other, boolean isHedge) {
    if (result.future().isComplete()) {
      return; // the other try decided it: a loser's latency is the pause the hedge routed around, not recorded
    }
    if (t.ok()) {
      if (isHedge) {
        route.hedge().hedgeWon();
      }
      result.tryComplete(answered(route, t));
      return;
    }
    if (t.failure().clientError()) {
      result.tryFail(t.failure().error());
      return;
    }
    if (!other.isComplete()) {
      return; // the other try may still answer
    }
    // both failed: a failure saying the request ran tells more than one saying a worker could not take it
    DispatchFailure o = other.result().failure();
    result.tryFail((t.failure().retryable() && !o.retryable() ? o : t.failure()).error());
  }

  /**
   * Sends the request to an admitted worker; the future always succeeds, with the try's outcome. If the client goes
   * away, or {@code abandon} completes, before the worker answered, the worker is told to cancel it.
   */
  private Future<Try> send(Route route, Admitted admitted, Promise<Void> abandon) {
    WorkerEndpoint worker = admitted.worker();
    Deadline deadline = route.deadline();
    long sentAt = clock.getAsLong();
    long remaining = Math.max(1, deadline.remainingMillis(sentAt));
    Queueing q = route.queueing();
    QueueTicket ticket = new QueueTicket(ticketPrefix + tickets.incrementAndGet(), q.tenant(), q.weight(),
        q.priority(), q.timeoutMicros(), remaining);
    DeliveryOptions delivery = new DeliveryOptions()
        .setSendTimeout(remaining)
        .addHeader(Addresses.REQUEST_ID_HEADER, route.requestId())
        .addHeader(Addresses.TICKET_HEADER, ticket.toHeader());
    // the answer: the worker's reply, or the worker's loss if that comes first
    Promise<Message<InferenceResponse>> answer = Promise.promise();
    worker.started(answer);
    vertx.eventBus().<InferenceResponse>request(worker.address(), route.request(), delivery).onComplete(reply -> {
      if (reply.succeeded()) {
        answer.tryComplete(reply.result());
      } else {
        answer.tryFail(reply.cause());
      }
    });
    q.clientGone().onComplete(gone -> abandon.tryComplete());
    abandon.future().onComplete(abandoned -> {
      if (!answer.future().isComplete()) {
        LOG.debug("request {}: cancelled on {}", route.requestId(), worker.workerId());
        vertx.eventBus().send(Addresses.workerCancel(worker.workerId()), ticket.id());
      }
    });
    return answer.future()
        .andThen(done -> worker.finished(answer))
        .transform(done -> {
          if (done.succeeded()) {
            admitted.permit().complete(WorkerGuard.Outcome.SUCCESS, null);
            return Future.succeededFuture(new Try(new Served(done.result().body(), worker.workerId(),
                queueWaitMicros(done.result())), clock.getAsLong() - sentAt, null));
          }
          DispatchFailure failure = worker.lostWith(done.cause())
              ? DispatchFailure.lost((MaasException) done.cause())
              : DispatchFailure.of(done.cause(), worker.workerId(), deadline.shorterThanDefault());
          admitted.permit().complete(failure.outcome(), failure.error());
          return Future.succeededFuture(new Try(null, 0, failure));
        });
  }

  /** How long the worker says the request waited in its queue (0 when it does not say). */
  private static long queueWaitMicros(Message<?> reply) {
    String wait = reply.headers().get(Addresses.QUEUE_WAIT_HEADER);
    try {
      return wait == null ? 0 : Long.parseLong(wait);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The try that answered the request: its latency feeds the model's hedge delay (when hedging is on). */
  private static Served answered(Route route, Try t) {
    if (route.hedge() != null) {
      route.hedge().answered(t.nanos());
    }
    return t.served();
  }

  /** A worker with a permit, or (worker null) the reason none could take the request. */
  private record Admitted(WorkerEndpoint worker, WorkerGuard.Permit permit, MaasException refusal) {
    static final Admitted NONE = new Admitted(null, null, null);
  }

  /** Picks an untried worker that admits the request, and takes it off the untried list. */
  private Admitted admit(Route route) {
    List<WorkerEndpoint> candidates = route.untried();
    int open = 0;
    int full = 0;
    List<WorkerEndpoint> left = new ArrayList<>(candidates);
    while (!left.isEmpty()) {
      WorkerEndpoint w = balancer.pick(left);
      WorkerGuard.Entry entry = w.guard().tryEnter(route.queueing().tenant());
      if (entry.admitted()) {
        candidates.remove(w);
        return new Admitted(w, entry.permit(), null);
      }
      left.remove(w);
      if (entry.refusal() == WorkerGuard.Refusal.BREAKER_OPEN) {
        open++;
      } else {
        full++;
      }
    }
    InferenceRequest request = route.request();
    return new Admitted(null, null, candidates.isEmpty()
        ? MaasException.unavailable("no worker holds model '%s' version %s ready", request.model(), request.version())
        : MaasException.unavailable("no worker can take a request for model '%s' now: %d with an open circuit "
            + "breaker, %d at their in-flight limit", request.model(), open, full));
  }
}
