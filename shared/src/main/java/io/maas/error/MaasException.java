package io.maas.error;

import java.util.Map;

/**
 * The one failure type of maas. Expected failures (bad input, unknown model, overload) carry no stack
 * trace: they are answers, not bugs. Only {@link ErrorCode#INTERNAL} keeps one.
 */
public final class MaasException extends RuntimeException {
  private final ErrorCode code;
  private Map<String, String> metadata = Map.of();

  public MaasException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public MaasException(ErrorCode code, String message, Throwable cause) {
    super(message, cause, false, code == ErrorCode.INTERNAL);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** Extra fields an edge sends along: HTTP response headers, gRPC trailers (e.g. rate-limit state). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** This failure with metadata for the edges to send, in the map's order (returns this). */
  public MaasException withMetadata(Map<String, String> m) {
    this.metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m)); // in the given order
    return this;
  }

  public static MaasException invalid(String format, Object... args) {
    return new MaasException(ErrorCode.INVALID_ARGUMENT, String.format(format, args));
  }

  public static MaasException notFound(String format, Object... args) {
    return new MaasException(ErrorCode.NOT_FOUND, String.format(format, args));
  }

  public static MaasException unavailable(String format, Object... args) {
    return new MaasException(ErrorCode.UNAVAILABLE, String.format(format, args));
  }
}
