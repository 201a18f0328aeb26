package io.maas.gateway.repository;

import io.maas.bus.Addresses;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.placement.ColdLoads;
import io.maas.gateway.routing.ModelView;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.model.ModelNames;
import io.maas.model.ModelPolicy;
import io.maas.model.ModelStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Map;

/**
 * The repository API's load and unload, for the whole cluster: a change goes to every worker at once
 * ({@link Addresses#workerControl}); each loads the model from its own repository (or unloads it) and answers
 * when done. The change succeeds when every worker that holds the model in its repository made it; workers
 * that do not hold it are left out; one that failed or did not answer in time fails the change, and the
 * answer names each such worker's reason. A load answers once this gateway routes to the model.
 *
 * <p>Each change is first recorded in the cluster's {@link WantedModels}, so that a worker that starts or joins
 * later applies it too, and it survives a restart of every gateway.
 */
public final class RepositoryControl {
  private static final Logger LOG = LoggerFactory.getLogger(RepositoryControl.class);
  /** How often the wait for routing looks at the registry. */
  private static final long ROUTED_POLL_MS = 5;

  private final Vertx vertx;
  private final WorkerRegistry registry;
  private final WantedModels wanted;
  private final UploadedFiles uploads;
  private final long timeoutMillis;
  /** Placed mode: a loaded model is placed at once (one copy at least); null: no placed workers are served. */
  private final ColdLoads coldLoads;

  /**
   * @param timeoutMillis how long a worker gets to load or unload: {@code gateway.max_request_timeout_ms} (a large
   *     model may take minutes)
   */
  public RepositoryControl(Vertx vertx, WorkerRegistry registry, WantedModels wanted, UploadedFiles uploads,
      long timeoutMillis) {
    this(vertx, registry, wanted, uploads, timeoutMillis, null);
  }

  /** @param coldLoads how placed workers get a model loaded through the API: placed at once, as if a request waited */
  public RepositoryControl(Vertx vertx, WorkerRegistry registry, WantedModels wanted, UploadedFiles uploads,
      long timeoutMillis, ColdLoads coldLoads) {
    this.coldLoads = coldLoads;
    this.uploads = uploads;
    this.vertx = vertx;
    this.registry = registry;
    this.wanted = wanted;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Loads (or loads again: changed files or configuration reload with no downtime) a model on every worker
   * whose repository holds it.
   *
   * @param config a model configuration replacing the model's own file (Triton's {@code config} parameter);
   *     null: the file's
   * @param files files to put in the model's directory on every worker first (Triton's {@code file:} parameters),
   *     by path in the model's directory; empty: none
   * @param policy replicas, traffic weights and version labels replacing the configuration's ({@link ModelPolicy#NONE}:
   *     the configuration's); its versions must be loaded ({@link PolicyVersions})
   * @return the model's versions' states on each worker that loaded it
   */
  public Future<List<ModelStatus>> load(String model, JsonObject config, Map<String, byte[]> files,
      ModelPolicy policy) {
    try {
      ModelNames.check(model);
      PolicyVersions.check(registry.workers(), model, config, policy);
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
    return uploads.put(files).compose(digests -> {
      JsonObject change = new JsonObject().put("op", "load").put("model", model);
      if (config != null) {
        change.put("config", config);
      }
      if (!digests.isEmpty()) {
        change.put("files", new JsonObject(new java.util.TreeMap<String, Object>(digests)));
      }
      return wanted.put(model, true, config, digests, policy).compose(v -> everywhere(model, change, "load"));
    })
        .recover(e -> e instanceof MaasException m && m.code() == ErrorCode.NOT_FOUND
            ? wanted.forget(model).transform(forgotten -> Future.failedFuture(e)) : Future.failedFuture(e))
        .compose(statuses -> routed(model, System.nanoTime() + timeoutMillis * 1_000_000L).map(statuses));
  }

  /** Unloads a model from every worker holding it: each finishes the requests it took first. */
  public Future<List<ModelStatus>> unload(String model) {
    try {
      ModelNames.check(model);
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
    return wanted.put(model, false, null, Map.of(), ModelPolicy.NONE)
        .compose(v -> everywhere(model, new JsonObject().put("op", "unload").put("model", model), "unload"))
        .recover(e -> e instanceof MaasException m && m.code() == ErrorCode.NOT_FOUND
            ? wanted.forget(model).transform(forgotten -> Future.failedFuture(e)) : Future.failedFuture(e));
  }

  private Future<List<ModelStatus>> everywhere(String model, JsonObject change, String what) {
    List<WorkerEndpoint> workers = List.copyOf(registry.workers());
    if (workers.isEmpty()) {
      return Future.failedFuture(MaasException.unavailable("no worker is in the cluster to %s model '%s'", what, model));
    }
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMillis);
    List<Future<Message<JsonObject>>> answers = workers.stream().map(w -> ask(w, change, options)).toList();
    return Future.join(answers).transform(all -> outcome(model, what, workers, answers));
  }

  /** Sends a change to one worker; its answer fails at once if the worker is lost meanwhile (its member left). */
  private Future<Message<JsonObject>> ask(WorkerEndpoint worker, JsonObject change, DeliveryOptions options) {
    Promise<Message<JsonObject>> answer = Promise.promise();
    worker.started(answer);
    vertx.eventBus().<JsonObject>request(Addresses.workerControl(worker.workerId()), change, options)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            answer.tryComplete(ar.result());
          } else {
            answer.tryFail(ar.cause());
          }
        });
    return answer.future().andThen(done -> worker.finished(answer));
  }

  private static Future<List<ModelStatus>> outcome(String model, String what, List<WorkerEndpoint> workers,
      List<Future<Message<JsonObject>>> answers) {
    List<ModelStatus> statuses = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    ErrorCode code = null;
    int held = 0;
    int lost = 0;
    for (int i = 0; i < answers.size(); i++) {
      Future<Message<JsonObject>> a = answers.get(i);
      if (a.succeeded()) {
        held++;
        a.result().body().getJsonArray("statuses").forEach(s -> statuses.add(ModelStatus.fromJson((JsonObject) s)));
        continue;
      }
      ErrorCode failed = codeOf(a.cause());
      if (failed == ErrorCode.NOT_FOUND) {
        continue; // that worker's repository does not hold the model
      }
      if (workers.get(i).lostWith(a.cause())) {
        // a worker that died during the change is no longer part of the cluster; a new one applies the wanted state
        LOG.info("worker {} was lost while it made the change to model '{}'", workers.get(i).workerId(), model);
        lost++;
        continue;
      }
      held++;
      code = code == null ? failed : code;
      reasons.add("worker " + workers.get(i).workerId() + ": " + reasonOf(a.cause()));
    }
    if (!reasons.isEmpty()) {
      return Future.failedFuture(new MaasException(code, "failed to " + what + " model '" + model + "': "
          + String.join("; ", reasons)));
    }
    if (held == 0 && lost > 0) {
      return Future.failedFuture(MaasException.unavailable("every worker that could %s model '%s' was lost during the "
          + "change", what, model));
    }
    if (held == 0) {
      return Future.failedFuture(MaasException.notFound("unknown model '%s': no worker's repository holds it", model));
    }
    return Future.succeededFuture(statuses);
  }

  private static ErrorCode codeOf(Throwable e) {
    if (e instanceof ReplyException r) {
      return switch (r.failureType()) {
        case RECIPIENT_FAILURE -> ErrorCode.fromWireId(r.failureCode());
        case TIMEOUT -> ErrorCode.DEADLINE_EXCEEDED;
        default -> ErrorCode.UNAVAILABLE;
      };
    }
    return ErrorCode.UNAVAILABLE;
  }

  private static String reasonOf(Throwable e) {
    if (e instanceof ReplyException r && r.failureType() == ReplyFailure.TIMEOUT) {
      return "did not answer within gateway.max_request_timeout_ms";
    }
    if (e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
      return "is gone";
    }
    return e.getMessage();
  }

  /**
   * Completes once this gateway routes to the model (the workers' announcements arrived), or at the deadline. A model
   * placed workers hold is placed (one copy of its highest version at least): the load fails with the placement's
   * reason (UNAVAILABLE) when it cannot be.
   */
  private Future<Void> routed(String model, long deadlineNanos) {
    if (coldLoads != null && registry.model(model).map(ModelView::readyVersions).filter(v -> !v.isEmpty()).isEmpty()) {
      var version = coldLoads.loadableVersion(model, "");
      if (version.isPresent()) {
        return coldLoads.await(model, version.get(), deadlineNanos, MaasException.unavailable(
            "model '%s' was not placed within gateway.max_request_timeout_ms", model));
      }
    }
    return readyOrDeadline(model, deadlineNanos);
  }

  private Future<Void> readyOrDeadline(String model, long deadlineNanos) {
    boolean ready = registry.model(model).map(ModelView::readyVersions).filter(v -> !v.isEmpty()).isPresent();
    if (ready || System.nanoTime() - deadlineNanos > 0) {
      return Future.succeededFuture();
    }
    return vertx.timer(ROUTED_POLL_MS).compose(t -> readyOrDeadline(model, deadlineNanos));
  }
}
