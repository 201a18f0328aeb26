package io.maas.http;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The one table of what an HTTP error response looks like, chosen by the request's path: each API answers in its
 * own wire format, so that its clients read its errors as they read the real server's. Whatever the format, every
 * error response carries the machine-readable code in the {@value #CODE_HEADER} header (see docs/errors.md).
 */
public enum ErrorFormat {
  /**
   * KServe V2 / Triton, every path under {@code /v2} (the repository and statistics extensions included): exactly
   * {@code {"error": "..."}}, the protocol's error body. Triton's clients parse it strictly: one more field fails them.
   */
  KSERVE,
  /**
   * TF Serving's REST API, every path under {@code /v1/models/}: {@code {"error": "..."}}, as TF Serving writes it.
   * {@code GET /v1/models/{m}} is also OpenAI's "retrieve model"; OpenAI's SDKs take a string {@code error} as the
   * error's message, so this one shape serves both kinds of client.
   */
  TF_SERVING,
  /**
   * OpenAI's paths, {@code /v1/embeddings} and {@code /v1/models}: OpenAI's error object
   * {@code {"error": {"message", "type", "param", "code"}}}, whose {@code code} is the lower-case maas code
   * ({@code model_not_found} for NOT_FOUND: no other resource of these paths can be missing).
   */
  OPENAI,
  /**
   * maas's own formats: the simple predict call, the admin key API, the metrics port, and any path no API owns:
   * {@code {"error": "...", "code": "..."}}.
   */
  MAAS;

  /** The response header that carries the maas error code (e.g. {@code INVALID_ARGUMENT}) of every error response. */
  public static final String CODE_HEADER = "X-Maas-Error-Code";

  /** The format of the API that owns a request path (raw or normalised; only its prefix counts). */
  public static ErrorFormat of(String path) {
    if (path == null) {
      return MAAS;
    }
    if (path.equals("/v2") || path.startsWith("/v2/")) {
      return KSERVE;
    }
    if (path.startsWith("/v1/models/")) {
      return TF_SERVING;
    }
    if (path.equals("/v1/models") || path.equals("/v1/embeddings")) {
      return OPENAI;
    }
    return MAAS;
  }

  /** The error body of a failure in this format. */
  public JsonObject body(MaasException e) {
    return switch (this) {
      case KSERVE, TF_SERVING -> new JsonObject().put("error", e.getMessage());
      case OPENAI -> new JsonObject().put("error", new JsonObject()
          .put("message", e.getMessage())
          .put("type", openAiType(e.code()))
          .putNull("param")
          .put("code", e.code() == ErrorCode.NOT_FOUND ? "model_not_found" : e.code().name().toLowerCase(Locale.ROOT)));
      case MAAS -> new JsonObject().put("error", e.getMessage()).put("code", e.code().name());
    };
  }

  /**
   * Answers a failure in this format: its status, {@value #CODE_HEADER}, {@code Retry-After} when a retry may
   * succeed, the failure's metadata as headers (rate-limit state), and the body. The caller adds what its
   * connection needs (e.g. {@code Connection: close}) before.
   */
  public void respond(HttpServerResponse response, MaasException e) {
    ErrorCode code = e.code();
    response.setStatusCode(code.httpStatus())
        .putHeader("Content-Type", "application/json")
        .putHeader(CODE_HEADER, code.name());
    if (code.retryable()) {
      response.putHeader("Retry-After", "1");
    }
    e.metadata().forEach(response::putHeader);
    response.end(body(e).toBuffer());
  }

  private static String openAiType(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, NOT_FOUND, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, REQUEST_TIMEOUT, URI_TOO_LONG,
          HEADERS_TOO_LARGE, UNSUPPORTED_ENCODING -> "invalid_request_error";
      case UNAUTHENTICATED -> "authentication_error";
      case PERMISSION_DENIED -> "permission_error";
      case RESOURCE_EXHAUSTED -> "rate_limit_error";
      default -> "server_error";
    };
  }
}
