package io.maas.gateway.routing;

import io.maas.inference.InferenceRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Confirms that a newly announced worker's address can be reached from this gateway before any request
 * is routed to it.
 *
 * <p>Why: right after a member joins, its event-bus subscriptions take 0.1-3 s to spread through the
 * cluster, so the announcement (a publish that reached us) can arrive before a point-to-point send to the
 * worker's own address would find a handler. The probe is an ordinary inference request for the empty
 * model name "": a worker answers it at once with NOT_FOUND, and any answer from the worker (a recipient
 * failure) proves its handler is reachable. NO_HANDLERS or no answer means "not yet": the probe is retried
 * with a short backoff for as long as the worker stays in the table. No worker code is involved.
 */
final class ReachabilityProbe {
  static final InferenceRequest PROBE = new InferenceRequest("", "", "", List.of(), List.of(), null);
  private static final long PROBE_TIMEOUT_MS = 1000;
  private static final long MAX_BACKOFF_MS = 500;

  private final Vertx vertx;

  ReachabilityProbe(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Completes with true once the worker answered, or false once {@code wanted} says it left meanwhile. */
  Future<Boolean> confirm(WorkerEndpoint worker, BooleanSupplier wanted) {
    return attempt(worker, wanted, 0);
  }

  private Future<Boolean> attempt(WorkerEndpoint worker, BooleanSupplier wanted, int n) {
    if (!wanted.getAsBoolean()) {
      return Future.succeededFuture(false);
    }
    return vertx.eventBus().request(worker.address(), PROBE, new DeliveryOptions().setSendTimeout(PROBE_TIMEOUT_MS))
        .map(reply -> true)
        .recover(e -> Future.succeededFuture(answeredByWorker(e)))
        .compose(reached -> reached
            ? Future.succeededFuture(true)
            : vertx.timer(backoffMillis(n)).compose(t -> attempt(worker, wanted, n + 1)));
  }

  /** A failure the worker itself sent back proves it is reachable; NO_HANDLERS and timeouts do not. */
  static boolean answeredByWorker(Throwable e) {
    return e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE;
  }

  static long backoffMillis(int attempt) {
    return Math.min(MAX_BACKOFF_MS, 25L << Math.min(attempt, 5));
  }
}
