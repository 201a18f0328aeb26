package io.maas.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** The KServe {@code timeout} parameter is microseconds; anything else is a clear 400. */
class DeadlineTest {
  private static final long DEFAULT_MS = 30_000;
  private static final long MAX_MS = 300_000;

  private static Deadline of(Object timeout) {
    JsonObject p = timeout == null ? new JsonObject() : new JsonObject().put("timeout", timeout);
    return Deadline.of(p, DEFAULT_MS, MAX_MS, 0);
  }

  @Test
  void withoutTheParameterTheConfiguredDefaultApplies() {
    Deadline d = of(null);
    assertEquals(30_000, d.remainingMillis(0));
    assertFalse(d.shorterThanDefault());
  }

  @Test
  void theParameterIsReadAsMicroseconds() {
    assertEquals(1_500, of(1_500_000).remainingMillis(0));
    assertEquals(1_500, of(1_500_000L).remainingMillis(0));
    assertTrue(of(1_500_000).shorterThanDefault());
    assertFalse(of(60_000_000L).shorterThanDefault());
  }

  @Test
  void lessThanAMillisecondLeftCountsAsExpired() {
    Deadline oneMicro = of(1);
    assertEquals(0, oneMicro.remainingMillis(0));
    assertEquals(ErrorCode.DEADLINE_EXCEEDED, oneMicro.expired().code());
    assertEquals(1_000, of(2_000_000).remainingMillis(1_000_000_000L));
    assertEquals(0, of(2_000_000).remainingMillis(5_000_000_000L));
  }

  @Test
  void badValuesAreInvalidArgument() {
    for (Object bad : new Object[] {0, -5, 1.5, "100", true, new JsonObject(), 300_000_001L,
        new BigInteger("18446744073709551615")}) {
      MaasException e = assertThrows(MaasException.class, () -> of(bad), String.valueOf(bad));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), bad + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("parameters.timeout"), e.getMessage());
    }
    assertEquals(300_000, of(300_000_000L).remainingMillis(0)); // the bound itself is allowed
  }
}
