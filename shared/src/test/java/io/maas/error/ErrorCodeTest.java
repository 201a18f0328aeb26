package io.maas.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

  @Test
  void wireIdsAreUniqueAndRoundTrip() {
    Set<Integer> ids = new HashSet<>();
    for (ErrorCode c : ErrorCode.values()) {
      assertTrue(ids.add(c.wireId()), "duplicate wire id " + c.wireId() + " of " + c);
      assertSame(c, ErrorCode.fromWireId(c.wireId()));
    }
  }

  @Test
  void unknownWireIdIsInternal() {
    assertSame(ErrorCode.INTERNAL, ErrorCode.fromWireId(0));
    assertSame(ErrorCode.INTERNAL, ErrorCode.fromWireId(-1));
    assertSame(ErrorCode.INTERNAL, ErrorCode.fromWireId(9999));
  }

  @Test
  void httpAndGrpcStatuses() {
    assertEquals(400, ErrorCode.INVALID_ARGUMENT.httpStatus());
    assertEquals(3, ErrorCode.INVALID_ARGUMENT.grpcStatus());
    assertEquals(404, ErrorCode.NOT_FOUND.httpStatus());
    assertEquals(5, ErrorCode.NOT_FOUND.grpcStatus());
    assertEquals(503, ErrorCode.UNAVAILABLE.httpStatus());
    assertEquals(14, ErrorCode.UNAVAILABLE.grpcStatus());
    assertEquals(504, ErrorCode.DEADLINE_EXCEEDED.httpStatus());
    assertEquals(4, ErrorCode.DEADLINE_EXCEEDED.grpcStatus());
    assertEquals(500, ErrorCode.INTERNAL.httpStatus());
    assertEquals(13, ErrorCode.INTERNAL.grpcStatus());
    // gRPC's compression spec prescribes INTERNAL for a client's misflagged message; over HTTP it is the client's 400
    assertEquals(400, ErrorCode.COMPRESSED_FLAG_WITHOUT_ENCODING.httpStatus());
    assertEquals(13, ErrorCode.COMPRESSED_FLAG_WITHOUT_ENCODING.grpcStatus());
    assertEquals(415, ErrorCode.UNSUPPORTED_ENCODING.httpStatus());
    assertEquals(12, ErrorCode.UNSUPPORTED_ENCODING.grpcStatus());
  }

  @Test
  void onlyUnavailableAndResourceExhaustedAreRetryable() {
    for (ErrorCode c : ErrorCode.values()) {
      assertEquals(c == ErrorCode.UNAVAILABLE || c == ErrorCode.RESOURCE_EXHAUSTED, c.retryable(), c.name());
    }
  }

  @Test
  void expectedFailuresCarryNoStackTrace() {
    for (ErrorCode c : ErrorCode.values()) {
      if (c != ErrorCode.INTERNAL) {
        MaasException e = new MaasException(c, "x");
        assertEquals(0, e.getStackTrace().length, c.name());
      }
    }
    assertEquals(0, MaasException.invalid("bad %s", "x").getStackTrace().length);
    assertEquals(0, MaasException.notFound("gone").getStackTrace().length);
    assertEquals(0, MaasException.unavailable("busy").getStackTrace().length);
  }

  @Test
  void internalFailureKeepsItsStackTraceAndCause() {
    IllegalStateException cause = new IllegalStateException("root");
    MaasException e = new MaasException(ErrorCode.INTERNAL, "boom", cause);
    assertTrue(e.getStackTrace().length > 0);
    assertSame(cause, e.getCause());
    assertEquals("boom", e.getMessage());
    assertSame(ErrorCode.INTERNAL, e.code());
  }

  @Test
  void factoriesFormatTheirMessagesAndSetTheCode() {
    MaasException e = MaasException.notFound("model '%s' v%d", "m", 3);
    assertEquals("model 'm' v3", e.getMessage());
    assertSame(ErrorCode.NOT_FOUND, e.code());
    assertSame(ErrorCode.INVALID_ARGUMENT, MaasException.invalid("x").code());
    assertSame(ErrorCode.UNAVAILABLE, MaasException.unavailable("x").code());
  }
}
