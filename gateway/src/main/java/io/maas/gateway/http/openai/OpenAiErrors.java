package io.maas.gateway.http.openai;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.http.RestErrors;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failure handler of the OpenAI-compatible paths: the same status codes as the rest of the REST
 * edge, in OpenAI's error shape {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class OpenAiErrors {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiErrors.class);

  private OpenAiErrors() {}

  static void handle(RoutingContext ctx) {
    MaasException e = RestErrors.toMaas(ctx);
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), e);
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      ctx.request().connection().close();
      return;
    }
    ErrorCode code = e.code();
    response.setStatusCode(code.httpStatus()).putHeader("Content-Type", "application/json");
    if (code.retryable()) {
      response.putHeader("Retry-After", "1");
    }
    e.metadata().forEach(response::putHeader);
    if (code == ErrorCode.PAYLOAD_TOO_LARGE) {
      response.putHeader("Connection", "close");
    }
    response.end(body(e).encode());
  }

  static JsonObject body(MaasException e) {
    return new JsonObject().put("error", new JsonObject()
        .put("message", e.getMessage())
        .put("type", type(e.code()))
        .putNull("param")
        .put("code", e.code() == ErrorCode.NOT_FOUND ? "model_not_found" : e.code().name().toLowerCase(Locale.ROOT)));
  }

  private static String type(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, NOT_FOUND, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE -> "invalid_request_error";
      case UNAUTHENTICATED -> "authentication_error";
      case PERMISSION_DENIED -> "permission_error";
      case RESOURCE_EXHAUSTED -> "rate_limit_error";
      default -> "server_error";
    };
  }
}
