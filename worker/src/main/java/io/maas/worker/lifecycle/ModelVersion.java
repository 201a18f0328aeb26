package io.maas.worker.lifecycle;

import io.maas.inference.InferenceRequest;
import io.maas.worker.batching.Queueing;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.maas.worker.device.ServedModel;
import io.maas.worker.memory.Footprint;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * One model version on one worker slot: its state (with the reason when it is not READY) and, once it
 * loaded, the model serving it, what it takes there, its statistics and meters, the files and configuration it
 * was loaded from, and the requests it is running. Confined to the slot's event loop.
 */
final class ModelVersion {
  private ModelStatus status;
  private final ServedModel served;
  private final VersionObservers observers;
  private final Fingerprint fingerprint;
  private final Footprint footprint;
  private int running;
  private Promise<Void> idle;

  /**
   * @param served null while the version is not loaded
   * @param observers null while the version has never loaded
   * @param footprint what the loaded model takes on the slot; null while the version is not loaded
   */
  ModelVersion(ModelStatus status, ServedModel served, VersionObservers observers, Fingerprint fingerprint,
      Footprint footprint) {
    this.status = status;
    this.served = served;
    this.observers = observers;
    this.fingerprint = fingerprint;
    this.footprint = footprint;
  }

  /** A version with a state only: LOADING, or UNAVAILABLE with its reason. */
  static ModelVersion of(ModelStatus status, Fingerprint fingerprint) {
    return new ModelVersion(status, null, null, fingerprint, null);
  }

  /** Another state for the same loaded model (UNLOADING: it finishes what it runs and takes nothing new). */
  void status(ModelStatus newStatus) {
    status = newStatus;
  }

  ModelStatus status() {
    return status;
  }

  ServedModel served() {
    return served;
  }

  VersionObservers observers() {
    return observers;
  }

  Fingerprint fingerprint() {
    return fingerprint;
  }

  /** What the loaded model takes on the slot; null while the version is not loaded. */
  Footprint footprint() {
    return footprint;
  }

  /** Requests it took and has not answered yet. */
  int running() {
    return running;
  }

  boolean isServing() {
    return served != null && status.isReady();
  }

  /** Runs a request, counting it until it is answered. */
  Future<InferenceResponse> infer(InferenceRequest request, Queueing queueing) {
    running++;
    return served.infer(request, queueing).andThen(done -> {
      running--;
      if (running == 0 && idle != null) {
        idle.tryComplete();
      }
    });
  }

  /** Completes once no request this version took is running. */
  Future<Void> idle() {
    if (running == 0) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }
}
