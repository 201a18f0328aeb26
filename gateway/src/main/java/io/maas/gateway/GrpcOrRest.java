package io.maas.gateway;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * One port for both edges ({@code gateway.grpc_on_http_port}): a gRPC call is an HTTP/2 request whose
 * content type starts with {@code application/grpc}; every other request is REST. Vert.x serves HTTP/1.1 and
 * HTTP/2 (cleartext, with prior knowledge or by upgrade) on the same server, so both kinds of client connect
 * as they would to a port of their own.
 */
final class GrpcOrRest implements Handler<HttpServerRequest> {
  private static final String GRPC = "application/grpc";

  private final Handler<HttpServerRequest> grpc;
  private final Router rest;

  GrpcOrRest(Handler<HttpServerRequest> grpc, Router rest) {
    this.grpc = grpc;
    this.rest = rest;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String type = request.getHeader("Content-Type");
    if (type != null && type.regionMatches(true, 0, GRPC, 0, GRPC.length())) {
      grpc.handle(request);
    } else {
      rest.handle(request);
    }
  }
}
