package io.maas.gateway.pipeline;

import io.maas.bus.Addresses;
import io.maas.error.MaasException;
import io.maas.gateway.routing.LoadBalancer;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerGuard;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.List;
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
 * </ol>
 * Nothing here blocks: the guard's permissions answer at once, outcomes are reported on reply.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  private final Vertx vertx;
  private final LoadBalancer balancer;
  private final LongSupplier clock;

  Dispatcher(Vertx vertx, LoadBalancer balancer, LongSupplier clock) {
    this.vertx = vertx;
    this.balancer = balancer;
    this.clock = clock;
  }

  Future<Served> dispatch(InferenceRequest request, List<WorkerEndpoint> candidates, Deadline deadline,
      String requestId) {
    return attempt(request, new ArrayList<>(candidates), deadline, requestId, null);
  }

  /** One attempt; {@code firstFailure} is the failure being retried (null on the first attempt). */
  private Future<Served> attempt(InferenceRequest request, List<WorkerEndpoint> candidates, Deadline deadline,
      String requestId, DispatchFailure firstFailure) {
    long remaining = deadline.remainingMillis(clock.getAsLong());
    if (remaining <= 0) {
      return Future.failedFuture(deadline.expired());
    }
    Admitted admitted = admit(candidates, request);
    if (admitted.worker() == null) {
      return Future.failedFuture(firstFailure != null ? firstFailure.error() : admitted.refusal());
    }
    WorkerEndpoint worker = admitted.worker();
    candidates.remove(worker);
    DeliveryOptions delivery = new DeliveryOptions()
        .setSendTimeout(remaining)
        .addHeader(Addresses.REQUEST_ID_HEADER, requestId);
    // the answer: the worker's reply, or the worker's loss if that comes first
    Promise<Message<InferenceResponse>> answer = Promise.promise();
    worker.started(answer);
    vertx.eventBus().<InferenceResponse>request(worker.address(), request, delivery).onComplete(reply -> {
      if (reply.succeeded()) {
        answer.tryComplete(reply.result());
      } else {
        answer.tryFail(reply.cause());
      }
    });
    return answer.future()
        .andThen(done -> worker.finished(answer))
        .transform(done -> {
          if (done.succeeded()) {
            admitted.permit().complete(WorkerGuard.Outcome.SUCCESS, null);
            return Future.succeededFuture(new Served(done.result().body(), worker.workerId()));
          }
          DispatchFailure failure = worker.lostWith(done.cause())
              ? DispatchFailure.lost((MaasException) done.cause())
              : DispatchFailure.of(done.cause(), worker.workerId(), deadline.shorterThanDefault());
          admitted.permit().complete(failure.outcome(), failure.error());
          if (failure.retryable() && firstFailure == null) {
            LOG.debug("request {}: {}; trying another worker", requestId, failure.error().getMessage());
            return attempt(request, candidates, deadline, requestId, failure);
          }
          return Future.failedFuture(failure.error());
        });
  }

  /** A worker with a permit, or (worker null) the reason none could take the request. */
  private record Admitted(WorkerEndpoint worker, WorkerGuard.Permit permit, MaasException refusal) {}

  private Admitted admit(List<WorkerEndpoint> candidates, InferenceRequest request) {
    int open = 0;
    int full = 0;
    List<WorkerEndpoint> left = new ArrayList<>(candidates);
    while (!left.isEmpty()) {
      WorkerEndpoint w = balancer.pick(left);
      WorkerGuard.Entry entry = w.guard().tryEnter();
      if (entry.admitted()) {
        return new Admitted(w, entry.permit(), null);
      }
      left.remove(w);
      if (entry.refusal() == WorkerGuard.Refusal.BREAKER_OPEN) {
        open++;
      } else {
        full++;
      }
    }
    return new Admitted(null, null, candidates.isEmpty()
        ? MaasException.unavailable("no worker holds model '%s' version %s ready", request.model(), request.version())
        : MaasException.unavailable("no worker can take a request for model '%s' now: %d with an open circuit "
            + "breaker, %d at their in-flight limit", request.model(), open, full));
  }
}
