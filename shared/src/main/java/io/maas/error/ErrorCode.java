package io.maas.error;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one error vocabulary of maas. Each code has a stable wire id (used to fail event-bus messages),
 * an HTTP status and a gRPC status code, so that every edge maps a failure the same way.
 */
public enum ErrorCode {
  INVALID_ARGUMENT(1, 400, 3),
  NOT_FOUND(2, 404, 5),
  METHOD_NOT_ALLOWED(3, 405, 12),
  PAYLOAD_TOO_LARGE(4, 413, 8),
  UNAVAILABLE(5, 503, 14),
  DEADLINE_EXCEEDED(6, 504, 4),
  UNAUTHENTICATED(7, 401, 16),
  PERMISSION_DENIED(8, 403, 7),
  RESOURCE_EXHAUSTED(9, 429, 8),
  INTERNAL(10, 500, 13),
  /** The client went away before its answer (nginx's 499, gRPC CANCELLED): nobody is left to tell. */
  CANCELLED(11, 499, 1),
  /**
   * A gRPC message flagged compressed on a call whose {@code grpc-encoding} is absent or {@code identity}: the
   * client's mistake, yet gRPC's compression spec prescribes INTERNAL for it ("MUST fail with INTERNAL status"), as
   * grpc-java and grpc-go answer it. It is not a server fault: no stack trace, not logged as one.
   */
  COMPRESSED_FLAG_WITHOUT_ENCODING(12, 400, 13),
  /** A body or message compressed with an encoding the server does not read (gRPC's spec: UNIMPLEMENTED). */
  UNSUPPORTED_ENCODING(13, 415, 12),
  /** An HTTP/1 request line over the server's limit. */
  URI_TOO_LONG(14, 414, 8),
  /** HTTP/1 request headers over the server's limit. */
  HEADERS_TOO_LARGE(15, 431, 8),
  /** The client stopped sending its request's body (HTTP 408); gRPC has no closer status than DEADLINE_EXCEEDED. */
  REQUEST_TIMEOUT(16, 408, 4);

  private static final Map<Integer, ErrorCode> BY_WIRE_ID =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ErrorCode::wireId, Function.identity()));

  private final int wireId;
  private final int httpStatus;
  private final int grpcStatus;

  ErrorCode(int wireId, int httpStatus, int grpcStatus) {
    this.wireId = wireId;
    this.httpStatus = httpStatus;
    this.grpcStatus = grpcStatus;
  }

  /** Stable id carried as the failure code of an event-bus reply. */
  public int wireId() {
    return wireId;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The numeric gRPC status code (io.grpc.Status.Code value). */
  public int grpcStatus() {
    return grpcStatus;
  }

  /** Whether a client may retry later (HTTP edges add Retry-After). */
  public boolean retryable() {
    return this == UNAVAILABLE || this == RESOURCE_EXHAUSTED;
  }

  /** The code for a wire id; unknown ids (another component's failure codes) are INTERNAL. */
  public static ErrorCode fromWireId(int wireId) {
    return BY_WIRE_ID.getOrDefault(wireId, INTERNAL);
  }
}
