package io.maas.gateway.pipeline;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;

/**
 * A request's deadline: the configured default, or the KServe {@code timeout} request parameter, which
 * is in MICROSECONDS (KServe V2 / Triton). Everything the request does after it arrived, a retry
 * included, fits inside it.
 *
 * @param startNanos when the request entered the pipeline ({@link System#nanoTime()})
 * @param budgetNanos how long it may take in all
 * @param shorterThanDefault whether the client chose a deadline below the default (its expiry then says
 *     nothing about the worker's health)
 */
public record Deadline(long startNanos, long budgetNanos, boolean shorterThanDefault) {
  /** The request parameter naming a deadline in microseconds. */
  public static final String PARAMETER = "timeout";

  /**
   * The deadline of a request with these KServe parameters.
   *
   * @throws MaasException INVALID_ARGUMENT when {@code timeout} is not a positive integer number of
   *     microseconds, or asks for more than {@code maxMillis}
   */
  public static Deadline of(JsonObject parameters, long defaultMillis, long maxMillis, long nowNanos) {
    Object raw = parameters.getValue(PARAMETER);
    if (raw == null) {
      return new Deadline(nowNanos, defaultMillis * 1_000_000L, false);
    }
    long micros = micros(raw, maxMillis);
    long budget = micros * 1_000L;
    return new Deadline(nowNanos, budget, budget < defaultMillis * 1_000_000L);
  }

  private static long micros(Object raw, long maxMillis) {
    long micros;
    if (raw instanceof Integer || raw instanceof Long) {
      micros = ((Number) raw).longValue();
    } else if (raw instanceof BigInteger) {
      micros = Long.MAX_VALUE; // only unsigned 64-bit values beyond Long.MAX_VALUE come as BigInteger
    } else {
      throw MaasException.invalid("parameters.%s must be an integer number of microseconds, not %s",
          PARAMETER, raw instanceof String ? "\"" + raw + "\"" : raw);
    }
    if (micros <= 0) {
      throw MaasException.invalid("parameters.%s must be a positive number of microseconds, not %d", PARAMETER, micros);
    }
    if (micros > maxMillis * 1_000L) {
      throw MaasException.invalid("parameters.%s is %d microseconds: the most a request may ask for is %d (%d ms)",
          PARAMETER, micros, maxMillis * 1_000L, maxMillis);
    }
    return micros;
  }

  /** Whole milliseconds left (0 when less than one is left: too little for an event-bus send). */
  public long remainingMillis(long nowNanos) {
    return Math.max(0, (startNanos + budgetNanos - nowNanos) / 1_000_000L);
  }

  public MaasException expired() {
    return new MaasException(ErrorCode.DEADLINE_EXCEEDED,
        "the request's deadline of " + budgetNanos / 1_000 + " µs passed before a worker answered");
  }
}
