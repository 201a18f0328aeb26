package io.maas.gateway.http.openai;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.http.RestErrors;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * The failure handler of the OpenAI-compatible paths: the same status codes as the rest of the REST
 * edge, in OpenAI's error shape {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class OpenAiErrors {
  /** RestErrors' statuses, headers and logging, with OpenAI's body. */
  static final Handler<RoutingContext> HANDLER = RestErrors.handler(OpenAiErrors::body);

  private OpenAiErrors() {}

  static JsonObject body(MaasException e) {
    return new JsonObject().put("error", new JsonObject()
        .put("message", e.getMessage())
        .put("type", type(e.code()))
        .putNull("param")
        .put("code", e.code() == ErrorCode.NOT_FOUND ? "model_not_found" : e.code().name().toLowerCase(Locale.ROOT)));
  }

  private static String type(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, NOT_FOUND, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, REQUEST_TIMEOUT -> "invalid_request_error";
      case UNAUTHENTICATED -> "authentication_error";
      case PERMISSION_DENIED -> "permission_error";
      case RESOURCE_EXHAUSTED -> "rate_limit_error";
      default -> "server_error";
    };
  }
}
