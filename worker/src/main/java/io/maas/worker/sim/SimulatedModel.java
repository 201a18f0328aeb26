package io.maas.worker.sim;

import io.maas.config.SimConfig;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.worker.device.ServedModel;
import io.maas.worker.instance.ModelSignature;
import io.maas.worker.instance.RequestValidator;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A model version on the SIMULATED device: requests are validated exactly as on a real slot, then each
 * holds one of the model's instances for {@code sim_base_ms + sim_per_item_ms × batch size} (a Vert.x
 * timer: no CPU is used and no thread is blocked) and answers {@link SimOutputs zeros} of the declared
 * output shapes. Requests beyond the instance count wait in arrival order, so the instance count bounds
 * concurrency as on a real device.
 */
public final class SimulatedModel implements ServedModel {
  private final Vertx vertx;
  private final String name;
  private final String version;
  private final ModelSignature signature;
  private final int instances;
  private final SimConfig sim;
  private final long failUntilNanos;
  private final ModelObserver observer;

  /** Guarded by this: instances not held by a request, and requests waiting for one. */
  private int idle;
  private final Deque<Promise<Void>> waiting = new ArrayDeque<>();

  /**
   * @param failUntilNanos {@link System#nanoTime()} before which every request fails with INTERNAL
   *     (the slot's {@code sim_fail_for_ms} window)
   */
  public SimulatedModel(Vertx vertx, String name, String version, ModelSignature signature, int instances,
      SimConfig sim, long failUntilNanos, ModelObserver observer) {
    if (instances < 1) {
      throw new IllegalArgumentException("a model needs at least one instance");
    }
    this.vertx = vertx;
    this.name = name;
    this.version = version;
    this.signature = signature;
    this.instances = instances;
    this.sim = sim;
    this.failUntilNanos = failUntilNanos;
    this.observer = observer;
    this.idle = instances;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public int instanceCount() {
    return instances;
  }

  /** Requests waiting for an instance now. */
  public synchronized int waiting() {
    return waiting.size();
  }

  @Override
  public Future<InferenceResponse> infer(InferenceRequest request) {
    try {
      RequestValidator.validate(name, signature, request);
    } catch (MaasException e) {
      return Future.failedFuture(e);
    }
    if (System.nanoTime() - failUntilNanos < 0) {
      return Future.failedFuture(new MaasException(ErrorCode.INTERNAL,
          "simulated device failure (sim_fail_for_ms: the sim slot fails every request for a while after it starts)"));
    }
    long batch = SimOutputs.batchSize(request);
    long arrived = System.nanoTime();
    long[] started = new long[1];
    return acquire()
        .compose(held -> {
          started[0] = System.nanoTime();
          return vertx.timer(Math.max(1, sim.holdMillis(batch)));
        })
        .andThen(done -> {
          observer.executed(1, batch, 0, System.nanoTime() - started[0], 0);
          release();
        })
        .map(done -> new InferenceResponse(name, version, request.id(), SimOutputs.outputs(signature, request), null))
        .andThen(done -> observer.completed(done.succeeded(), batch, started[0] - arrived, System.nanoTime() - arrived));
  }

  private Future<Void> acquire() {
    synchronized (this) {
      if (idle > 0) {
        idle--;
        return Future.succeededFuture();
      }
      Promise<Void> turn = Promise.promise();
      waiting.addLast(turn);
      return turn.future();
    }
  }

  /** Hands the instance to the longest-waiting request, or back to the idle ones. */
  private void release() {
    Promise<Void> next;
    synchronized (this) {
      next = waiting.pollFirst();
      if (next == null) {
        idle++;
        return;
      }
    }
    next.complete();
  }

  @Override
  public void close() {}
}
