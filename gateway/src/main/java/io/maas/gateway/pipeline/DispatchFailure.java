package io.maas.gateway.pipeline;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.routing.WorkerGuard.Outcome;
import io.vertx.core.eventbus.ReplyException;

/**
 * What a failed dispatch to one worker means: the error for the client, whether another worker may be
 * tried (only when this one cannot have started the request), and how the worker's breaker counts it.
 *
 * @param error the failure as maas reports it
 * @param retryable whether the request certainly did not run there, so another worker may take it
 * @param outcome what it says about the worker's health
 */
public record DispatchFailure(MaasException error, boolean retryable, Outcome outcome) {

  /**
   * Classifies an event-bus failure.
   *
   * <ul>
   *   <li>NO_HANDLERS: the address has no consumer (the worker is gone): not started, retried, a failure.
   *   <li>The worker answered UNAVAILABLE (draining, model not ready there) or RESOURCE_EXHAUSTED: it
   *       refused before running, retried, says nothing about its health.
   *   <li>TIMEOUT: it may be running: not retried; a failure unless the client chose a deadline shorter
   *       than the default (else any client could open every breaker).
   *   <li>INTERNAL: it ran and failed: not retried, a failure.
   *   <li>DEADLINE_EXCEEDED from the worker (the request's deadline or its queue timeout passed while it was
   *       queued there: it never ran) or CANCELLED (its client went away): final, and says nothing about the
   *       worker's health (an overloaded worker is not a broken one).
   *   <li>Any other answer (INVALID_ARGUMENT, NOT_FOUND...) is the client's error: the worker is healthy.
   * </ul>
   */
  public static DispatchFailure of(Throwable e, String workerId, boolean clientShortenedDeadline) {
    if (e instanceof MaasException m) {
      return new DispatchFailure(m, false, Outcome.IGNORED);
    }
    if (!(e instanceof ReplyException r)) {
      return new DispatchFailure(new MaasException(ErrorCode.INTERNAL, "unexpected failure: " + e, e), false,
          Outcome.FAILURE);
    }
    return switch (r.failureType()) {
      case NO_HANDLERS -> new DispatchFailure(
          MaasException.unavailable("worker %s is not reachable", workerId), true, Outcome.FAILURE);
      case TIMEOUT -> new DispatchFailure(new MaasException(ErrorCode.DEADLINE_EXCEEDED,
          "worker " + workerId + " did not answer before the request's deadline"), false,
          clientShortenedDeadline ? Outcome.IGNORED : Outcome.FAILURE);
      case RECIPIENT_FAILURE -> recipientFailure(ErrorCode.fromWireId(r.failureCode()), r.getMessage());
      default -> new DispatchFailure(new MaasException(ErrorCode.INTERNAL, "event-bus failure: " + r.getMessage(), r),
          false, Outcome.FAILURE);
    };
  }

  /**
   * Whether the worker answered and the answer is about the request itself (a client error such as
   * INVALID_ARGUMENT or NOT_FOUND): every worker would say the same, so it is final, never retried or hedged.
   */
  public boolean clientError() {
    return !retryable && outcome == Outcome.SUCCESS;
  }

  /** The worker was lost while it held the request: it may have run it, but its answer will never come. */
  public static DispatchFailure lost(MaasException reason) {
    return new DispatchFailure(reason, true, Outcome.FAILURE);
  }

  private static DispatchFailure recipientFailure(ErrorCode code, String message) {
    MaasException error = new MaasException(code, message);
    return switch (code) {
      case UNAVAILABLE, RESOURCE_EXHAUSTED -> new DispatchFailure(error, true, Outcome.IGNORED);
      case INTERNAL -> new DispatchFailure(error, false, Outcome.FAILURE);
      case DEADLINE_EXCEEDED, CANCELLED -> new DispatchFailure(error, false, Outcome.IGNORED);
      default -> new DispatchFailure(error, false, Outcome.SUCCESS);
    };
  }
}
