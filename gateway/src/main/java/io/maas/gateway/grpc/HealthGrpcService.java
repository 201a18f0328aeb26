package io.maas.gateway.grpc;

import com.google.protobuf.Descriptors;
import io.maas.error.MaasException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.grpc.health.v1.HealthListRequest;
import io.vertx.grpc.health.v1.HealthListResponse;
import io.vertx.grpc.health.v1.HealthProto;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The standard {@code grpc.health.v1.Health} service: {@code Check}, {@code List} and {@code Watch} over a fixed set
 * of named services, each SERVING while its check holds. Its calls are read as every maas call is (see
 * {@link UnaryCall}): an empty or malformed request is INVALID_ARGUMENT, never a reset stream or a call left
 * unanswered, as Vert.x's own health service left them.
 */
final class HealthGrpcService implements Service {
  static final ServiceName NAME = ServiceName.create("grpc.health.v1.Health");
  static final ServiceMethod<HealthCheckRequest, HealthCheckResponse> CHECK = ServiceMethod.server(NAME, "Check",
      GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(HealthCheckRequest.newBuilder()));
  static final ServiceMethod<HealthListRequest, HealthListResponse> LIST = ServiceMethod.server(NAME, "List",
      GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(HealthListRequest.newBuilder()));
  static final ServiceMethod<HealthCheckRequest, HealthCheckResponse> WATCH = ServiceMethod.server(NAME, "Watch",
      GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(HealthCheckRequest.newBuilder()));
  /** How often a Watch call looks for a change of status. */
  static final long WATCH_PERIOD_MS = 1_000;

  private final Vertx vertx;
  private final Map<String, BooleanSupplier> services;
  private final long maxMessageBytes;

  /**
   * @param services each service name ("" for the server as a whole) with whether it serves; the health service
   *     itself always does
   */
  HealthGrpcService(Vertx vertx, Map<String, BooleanSupplier> services, long maxMessageBytes) {
    this.vertx = vertx;
    this.services = new LinkedHashMap<>(services);
    this.services.put(NAME.fullyQualifiedName(), () -> true);
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public ServiceName name() {
    return NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return HealthProto.getDescriptor().findServiceByName("Health");
  }

  @Override
  public void bind(GrpcServer server) {
    server.callHandler(CHECK, call -> UnaryCall.answer(call, message -> Future.succeededFuture(
        check(RequestMessages.decode(CHECK.decoder(), message, maxMessageBytes)))));
    server.callHandler(LIST, call -> UnaryCall.answer(call, message -> {
      RequestMessages.decode(LIST.decoder(), message, maxMessageBytes);
      return Future.succeededFuture(list());
    }));
    server.callHandler(WATCH, this::watch);
  }

  /** The status of a known service; NOT_FOUND for another, as the health protocol says. */
  private HealthCheckResponse check(HealthCheckRequest request) {
    ServingStatus status = status(request.getService());
    if (status == ServingStatus.SERVICE_UNKNOWN) {
      throw MaasException.notFound("unknown service '%s'", request.getService());
    }
    return HealthCheckResponse.newBuilder().setStatus(status).build();
  }

  private HealthListResponse list() {
    HealthListResponse.Builder list = HealthListResponse.newBuilder();
    services.forEach((name, check) -> list.putStatuses(name,
        HealthCheckResponse.newBuilder().setStatus(status(name)).build()));
    return list.build();
  }

  private ServingStatus status(String service) {
    BooleanSupplier check = services.get(service);
    if (check == null) {
      return ServingStatus.SERVICE_UNKNOWN;
    }
    return check.getAsBoolean() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  /**
   * The current status at once, then each change, looked for every {@link #WATCH_PERIOD_MS}, until the client goes
   * away; an unknown service is SERVICE_UNKNOWN and the call stays open, as the health protocol says.
   */
  private void watch(GrpcServerRequest<HealthCheckRequest, HealthCheckResponse> call) {
    StatusWatch watch = new StatusWatch(call);
    watch.request = UnaryCall.watch(call, watch::start);
    watch.request.onClientGone(watch::stop);
  }

  /** One Watch call's stream of statuses. */
  private final class StatusWatch {
    private final GrpcServerRequest<HealthCheckRequest, HealthCheckResponse> call;
    private UnaryCall request;
    private String service;
    private ServingStatus sent;
    private long timer = -1;
    private boolean over;

    StatusWatch(GrpcServerRequest<HealthCheckRequest, HealthCheckResponse> call) {
      this.call = call;
    }

    void start(GrpcMessage message) {
      service = RequestMessages.decode(WATCH.decoder(), message, maxMessageBytes).getService();
      if (call.deadline() != null) {
        call.deadline().onSuccess(v -> stop()); // the call's grpc-timeout passed: Vert.x ended it
      }
      send();
      if (!over) {
        timer = vertx.setPeriodic(WATCH_PERIOD_MS, id -> send());
      }
    }

    private void send() {
      if (over || request.answered()) { // the call was failed (a second request message)
        stop();
        return;
      }
      ServingStatus now = status(service);
      if (now == sent) {
        return;
      }
      sent = now;
      try {
        call.response().write(HealthCheckResponse.newBuilder().setStatus(now).build()).onFailure(e -> stop());
      } catch (IllegalStateException ended) { // the stream was reset or ended (its deadline) between two looks
        stop();
      }
    }

    void stop() {
      over = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    }
  }
}
