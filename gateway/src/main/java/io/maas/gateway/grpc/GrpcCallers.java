package io.maas.gateway.grpc;

import io.maas.gateway.edge.Credentials;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.tenancy.Caller;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.grpc.server.GrpcServerRequest;

/**
 * Who makes a gRPC call, from its metadata ({@code authorization: Bearer <token>} or {@code x-api-key}: read by
 * {@link Credentials}), as
 * REST's {@code RestAuth} tells it: with keys off everyone is {@link Caller#ANONYMOUS}; with keys on an
 * API key is needed (UNAUTHENTICATED otherwise), and the administrative RPCs (repository load and unload) take
 * the admin token as well.
 */
final class GrpcCallers {
  /** What a call needs to be let in. */
  enum Access {
    /** Nothing (the health RPCs). */
    OPEN,
    /** An API key. */
    KEY,
    /** The admin token or an API key (whose rights the RPC checks). */
    ADMINISTRATIVE
  }

  private final Admission admission;

  /** @param admission the key check; {@link Admission#OPEN}: keys are off */
  GrpcCallers(Admission admission) {
    this.admission = admission;
  }

  Future<Caller> caller(GrpcServerRequest<?, ?> call, Access access) {
    if (access == Access.OPEN || admission.isOpen()) {
      return Future.succeededFuture(Caller.ANONYMOUS);
    }
    MultiMap headers = call.headers();
    String token = headers == null ? null : Credentials.from(headers::get);
    if (access == Access.ADMINISTRATIVE && admission.isAdmin(token)) {
      return Future.succeededFuture(Caller.ADMIN);
    }
    MultiMap responseHeaders = call.response().headers();
    return admission.authenticate(token)
        .map(key -> new Caller(key, limit -> limit.lowerCaseHeaders(responseHeaders::set)));
  }
}
