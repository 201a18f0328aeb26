package io.maas.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.gateway.routing.WorkerGuard.Outcome;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

/** Which dispatch failures are retried on another worker and which count against the worker's breaker. */
class DispatchFailureTest {

  private static DispatchFailure answered(ErrorCode code) {
    return DispatchFailure.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code.wireId(), "x"), "w1", false);
  }

  @Test
  void noHandlersIsRetriedAndCountsAgainstTheWorker() {
    DispatchFailure f = DispatchFailure.of(new ReplyException(ReplyFailure.NO_HANDLERS, "none"), "w1", false);
    assertTrue(f.retryable());
    assertEquals(Outcome.FAILURE, f.outcome());
    assertEquals(ErrorCode.UNAVAILABLE, f.error().code());
  }

  @Test
  void aWorkerRefusingBeforeItStartsIsRetriedWithoutBlame() {
    for (ErrorCode c : new ErrorCode[] {ErrorCode.UNAVAILABLE, ErrorCode.RESOURCE_EXHAUSTED}) {
      DispatchFailure f = answered(c);
      assertTrue(f.retryable(), c.name());
      assertEquals(Outcome.IGNORED, f.outcome(), c.name());
      assertEquals(c, f.error().code());
    }
  }

  @Test
  void timeoutsAreNotRetriedAndCountUnlessTheClientShortenedTheDeadline() {
    ReplyException timeout = new ReplyException(ReplyFailure.TIMEOUT, "late");
    DispatchFailure f = DispatchFailure.of(timeout, "w1", false);
    assertFalse(f.retryable());
    assertEquals(Outcome.FAILURE, f.outcome());
    assertEquals(ErrorCode.DEADLINE_EXCEEDED, f.error().code());
    assertEquals(Outcome.IGNORED, DispatchFailure.of(timeout, "w1", true).outcome());
  }

  @Test
  void internalFailuresAreNotRetriedAndCount() {
    DispatchFailure f = answered(ErrorCode.INTERNAL);
    assertFalse(f.retryable());
    assertEquals(Outcome.FAILURE, f.outcome());
  }

  @Test
  void clientErrorsAreNeitherRetriedNorCounted() {
    for (ErrorCode c : new ErrorCode[] {ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND, ErrorCode.PAYLOAD_TOO_LARGE}) {
      DispatchFailure f = answered(c);
      assertFalse(f.retryable(), c.name());
      assertEquals(Outcome.SUCCESS, f.outcome(), c.name());
      assertEquals(c, f.error().code());
    }
  }
}
