package io.maas.gateway.pipeline;

import io.maas.config.GatewayConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.hedging.Hedging;
import io.maas.gateway.placement.ColdLoads;
import io.maas.gateway.routing.LoadBalancer;
import io.maas.gateway.tenancy.Admission;
import io.maas.gateway.tenancy.Caller;
import io.maas.gateway.tenancy.QueueShare;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The one request flow every edge shares: resolve the model version, set the request's deadline, and
 * dispatch to a worker that holds it READY ({@link Dispatcher}: balanced, guarded, retried or hedged once
 * when safe), mapping any failure to an {@link ErrorCode}. Edges only decode before and encode after.
 */
public final class InferencePipeline {
  private final WorkerRegistry registry;
  private final Dispatcher dispatcher;
  private final long defaultTimeoutMillis;
  private final long maxTimeoutMillis;
  private final Admission admission;
  private final GatewayMetrics metrics;
  /** Load on demand in placed mode; null: requests for a model loaded nowhere fail at once. */
  private final ColdLoads coldLoads;

  /**
   * @param admission the API-key checks and metering; {@link Admission#OPEN} when {@code gateway.auth_enabled} is
   *     false
   * @param metrics where every request's outcome and duration is recorded, once
   * @param coldLoads where requests for a model loaded nowhere wait for it to load; null: they fail at once
   */
  public InferencePipeline(Vertx vertx, WorkerRegistry registry, LoadBalancer balancer, GatewayConfig config,
      Admission admission, GatewayMetrics metrics, ColdLoads coldLoads) {
    this.coldLoads = coldLoads;
    this.admission = admission;
    this.metrics = metrics;
    this.registry = registry;
    this.dispatcher = new Dispatcher(vertx, balancer, System::nanoTime, new Hedging(config.hedge(), metrics.registry()));
    this.defaultTimeoutMillis = config.requestTimeoutMillis();
    this.maxTimeoutMillis = config.maxRequestTimeoutMillis();
  }

  public Future<InferenceResponse> infer(InferenceRequest request, String requestId, Caller caller) {
    return inferServed(request, requestId, caller).map(Served::response);
  }

  /** Runs the request for a caller; {@code clientGone} completes if the client goes away first (it is cancelled). */
  public Future<InferenceResponse> infer(InferenceRequest request, String requestId, Caller caller,
      Future<Void> clientGone) {
    return inferServed(request, requestId, caller, clientGone).map(Served::response);
  }

  /** Runs the request for a caller who stays (nothing cancels it). */
  public Future<Served> inferServed(InferenceRequest request, String requestId, Caller caller) {
    return inferServed(request, requestId, caller, Promise.<Void>promise().future());
  }

  /**
   * Runs the request for a caller and tells which worker served it: the key's model permission and rate
   * limit first (when keys are on and the caller has one), metered once it ends. If {@code clientGone} completes
   * before the answer, the request is cancelled: not sent if it was not yet, else its worker is told (a request
   * still queued there never runs), and it ends CANCELLED.
   */
  public Future<Served> inferServed(InferenceRequest request, String requestId, Caller caller,
      Future<Void> clientGone) {
    long started = System.nanoTime();
    Future<Served> served = caller.isAnonymous()
        ? inferServed(request, requestId, Caller.ANONYMOUS, clientGone, started)
        : admission.admit(caller, request.model()).compose(v -> {
          Future<Served> s = inferServed(request, requestId, caller, clientGone, started);
          admission.meter(caller, request, s);
          return s;
        });
    return served.andThen(done -> {
      String code = done.succeeded() ? "OK" : codeOf(done.cause()).name();
      metrics.record(registry.knows(request.model()) ? request.model() : GatewayMetrics.UNKNOWN_MODEL, code,
          System.nanoTime() - started);
      metrics.recordKey(caller.tenant(), code);
    });
  }

  private static ErrorCode codeOf(Throwable failure) {
    return failure instanceof MaasException m ? m.code() : ErrorCode.INTERNAL;
  }

  /** Runs the request with no key checks (done) and tells which worker served it. */
  private Future<Served> inferServed(InferenceRequest request, String requestId, Caller caller,
      Future<Void> clientGone, long startNanos) {
    Deadline deadline;
    try {
      deadline = Deadline.of(request.parameters(), defaultTimeoutMillis, maxTimeoutMillis, startNanos);
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
    Call call = new Call(requestId, caller, clientGone, deadline);
    ModelStatus version;
    InferenceRequest wanted = request;
    try {
      wanted = request.withVersion(placedChoice(request.model(), request.version()));
      version = registry.resolve(wanted.model(), wanted.version());
    } catch (MaasException e) {
      return afterColdLoad(wanted, e, call);
    }
    InferenceRequest resolved = request.withVersion(version.version());
    Future<Served> served = dispatch(resolved, version, call);
    // placed mode: a version evicted (or its workers lost) just as the request went is loaded again, once
    return coldLoads == null ? served : served.recover(e -> afterColdLoad(resolved, e, call));
  }

  /** One request's way through the pipeline: who asked, whether they are still there, and its deadline. */
  private record Call(String requestId, Caller caller, Future<Void> clientGone, Deadline deadline) {}

  /** Sends a request for a resolved version at its priority level to a worker holding it. */
  private Future<Served> dispatch(InferenceRequest request, ModelStatus version, Call call) {
    if (call.clientGone().isComplete()) {
      return Future.failedFuture(new MaasException(ErrorCode.CANCELLED, "the client went away"));
    }
    QueueShare share = call.caller().queueShare();
    Dispatcher.Queueing queueing;
    try {
      long timeoutMicros = request.parameters().containsKey(Deadline.PARAMETER)
          ? call.deadline().budgetNanos() / 1_000 : 0;
      queueing = new Dispatcher.Queueing(call.caller().tenant(), share.weight(),
          PriorityLevel.of(request.parameters(), version, share), timeoutMicros, call.clientGone());
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
    return dispatcher.dispatch(request, registry.candidates(request.model(), request.version()), call.deadline(),
        call.requestId(), queueing);
  }

  /**
   * The version a request for (model, version) would be served by, as {@link WorkerRegistry#resolve} says, for the
   * edges that need its signature before they can decode a request (TF Serving, simple predict, embeddings). In
   * placed mode a version loaded nowhere is loaded first, within the default request timeout (its signature is
   * known once it is READY).
   */
  public Future<ModelStatus> model(String model, String version) {
    try {
      return Future.succeededFuture(registry.resolve(model, version));
    } catch (MaasException e) {
      Deadline deadline = new Deadline(System.nanoTime(), defaultTimeoutMillis * 1_000_000L, false);
      String wanted;
      try {
        wanted = placedChoice(model, version);
      } catch (MaasException notFound) {
        return Future.failedFuture(notFound);
      }
      return coldLoaded(model, wanted, e, deadline).compose(loaded -> {
        try {
          return Future.succeededFuture(registry.resolve(model, loaded));
        } catch (MaasException again) {
          return Future.failedFuture(again);
        }
      });
    }
  }


  /**
   * Whether a request for (model, version) may go on to the pipeline, before its body is decoded: NOT_FOUND for an
   * unknown model or version, UNAVAILABLE for one not ready, are thrown at once whatever the body holds; except that
   * in placed mode a version loaded nowhere goes on, to be loaded.
   */
  public void checkKnown(String model, String version) {
    try {
      registry.checkKnown(model, version);
    } catch (MaasException e) {
      if (e.code() != ErrorCode.UNAVAILABLE || coldLoads == null || !registry.placed(model)) {
        throw e;
      }
    }
  }

  /**
   * Placed mode: a request for a version placed workers can load but none holds ready waits for it to load, then
   * goes on; any other failure stands.
   */
  private Future<Served> afterColdLoad(InferenceRequest request, Throwable failure, Call call) {
    return coldLoaded(request.model(), request.version(), failure, call.deadline()).compose(loaded -> {
      ModelStatus version;
      try {
        version = registry.resolve(request.model(), loaded);
      } catch (MaasException e) {
        return Future.failedFuture(e);
      }
      return dispatch(request.withVersion(loaded), version, call);
    });
  }

  /**
   * The version a request names, or in placed mode the one chosen among every version placement can load (a canary's
   * too), not only those READY.
   *
   * @throws MaasException NOT_FOUND for an unknown model or label
   */
  private String placedChoice(String model, String version) {
    return coldLoads != null && registry.placed(model) ? registry.versions().choose(model, version, true) : version;
  }

  /**
   * Placed mode: when the failure says a version is not ready and placed workers can load it, completes with that
   * version once this gateway routes to it (within the deadline); any other failure stands.
   */
  private Future<String> coldLoaded(String model, String version, Throwable failure, Deadline deadline) {
    if (coldLoads == null || !(failure instanceof MaasException m) || m.code() != ErrorCode.UNAVAILABLE) {
      return Future.failedFuture(failure);
    }
    return coldLoads.loadableVersion(model, version)
        .map(v -> coldLoads.await(model, v, deadline.startNanos() + deadline.budgetNanos(), deadline.expired()).map(v))
        .orElseGet(() -> Future.failedFuture(failure));
  }

}
