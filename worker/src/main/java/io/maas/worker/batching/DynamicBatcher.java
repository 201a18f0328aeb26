package io.maas.worker.batching;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The scheduler of one model version on one device slot (Triton's dynamic batcher): ONE bounded queue
 * in front of the model's instances. Whenever an instance is free it takes a batch formed by the
 * {@link BatchPolicy} (one request when batching is off) and hands it to the {@link BatchRunner}; a
 * request that finds the queue full is refused at once with UNAVAILABLE. Every execution and every
 * answer is reported to the {@link ModelObserver}.
 *
 * <p>Thread-safe: the queue and the instance count are guarded by this object; runs and answers happen
 * outside the lock. It never blocks the calling thread.
 */
public final class DynamicBatcher {
  private final String model;
  private final BatchPolicy policy;
  private final BatchRunner runner;
  private final BatchClock clock;
  private final ModelObserver observer;

  /** Guarded by this. */
  private final List<Pending> queue = new ArrayList<>();
  private int freeInstances;
  private long timerDueNanos;
  private boolean timerArmed;
  private boolean closed;

  /**
   * @param model the model's name and version, for messages
   * @param instances how many batches may run at once (the model's instance count)
   */
  public DynamicBatcher(String model, BatchPolicy policy, int instances, BatchRunner runner, BatchClock clock,
      ModelObserver observer) {
    if (instances < 1) {
      throw new IllegalArgumentException("a model needs at least one instance");
    }
    this.model = model;
    this.policy = policy;
    this.runner = runner;
    this.clock = clock;
    this.observer = observer;
    this.freeInstances = instances;
  }

  public BatchPolicy policy() {
    return policy;
  }

  /** Requests waiting for an execution now. */
  public synchronized int queued() {
    return queue.size();
  }

  /** Queues a validated request; its future completes with its answer. */
  public Future<InferenceResponse> submit(InferenceRequest request) {
    Pending pending;
    try {
      pending = new Pending(request, runner.batchKey(request), runner.items(request), clock.nanoTime());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new MaasException(ErrorCode.UNAVAILABLE, "model " + model + " is unloading"));
      }
      if (queue.size() >= policy.maxQueueSize()) {
        observer.rejected();
        return Future.failedFuture(new MaasException(ErrorCode.UNAVAILABLE, "the queue of model " + model
            + " on this worker is full (" + policy.maxQueueSize() + " requests waiting); retry later"));
      }
      queue.add(pending);
    }
    dispatch();
    return pending.answer.future();
  }

  /** Fails the requests still waiting; those running finish. */
  public void close() {
    List<Pending> dropped;
    synchronized (this) {
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
    }
    long now = clock.nanoTime();
    for (Pending p : dropped) {
      observer.completed(false, p.items, 0, now - p.arrivedNanos);
      p.answer.tryFail(new MaasException(ErrorCode.UNAVAILABLE, "model " + model + " was unloaded"));
    }
  }

  /** Starts a batch on every free instance the queue has work for. */
  private void dispatch() {
    while (true) {
      List<Pending> batch;
      synchronized (this) {
        if (closed || freeInstances == 0 || queue.isEmpty()) {
          return;
        }
        long now = clock.nanoTime();
        BatchPolicy.Decision decision = policy.decide(queue, now);
        if (decision instanceof BatchPolicy.Wait wait) {
          armTimer(wait.untilNanos(), now);
          return;
        }
        batch = take(((BatchPolicy.Run) decision).positions());
        freeInstances--;
      }
      execute(batch);
    }
  }

  private List<Pending> take(List<Integer> positions) {
    List<Pending> batch = new ArrayList<>(positions.size());
    for (int i = positions.size() - 1; i >= 0; i--) {
      batch.add(queue.remove((int) positions.get(i)));
    }
    Collections.reverse(batch);
    return batch;
  }

  /** Wakes the batcher when the oldest request's delay ends, unless a timer due no later is armed. */
  private void armTimer(long dueNanos, long now) {
    if (timerArmed && timerDueNanos - dueNanos <= 0) {
      return;
    }
    timerArmed = true;
    timerDueNanos = dueNanos;
    clock.schedule(dueNanos - now, () -> {
      synchronized (this) {
        if (timerArmed && timerDueNanos == dueNanos) {
          timerArmed = false;
        }
      }
      dispatch();
    });
  }

  private void execute(List<Pending> batch) {
    long started = clock.nanoTime();
    List<InferenceRequest> requests = batch.stream().map(p -> p.request).toList();
    Future<BatchResult> run;
    try {
      run = runner.run(requests);
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(done -> {
      long finished = clock.nanoTime();
      synchronized (this) {
        freeInstances++;
      }
      dispatch();
      long items = batch.stream().mapToLong(p -> p.items).sum();
      if (done.succeeded()) {
        BatchResult result = done.result();
        observer.executed(batch.size(), items, result.inputNanos(), result.inferNanos(), result.outputNanos());
        for (int i = 0; i < batch.size(); i++) {
          answer(batch.get(i), result.answers().get(i), started, finished);
        }
      } else {
        RuntimeException failure = done.cause() instanceof RuntimeException r
            ? r : new MaasException(ErrorCode.INTERNAL, "inference failed: " + done.cause(), done.cause());
        batch.forEach(p -> answer(p, BatchResult.Answer.failed(failure), started, finished));
      }
    });
  }

  private void answer(Pending p, BatchResult.Answer answer, long started, long finished) {
    observer.completed(answer.succeeded(), p.items, started - p.arrivedNanos, finished - p.arrivedNanos);
    if (answer.succeeded()) {
      p.answer.tryComplete(answer.response());
    } else {
      p.answer.tryFail(answer.failure());
    }
  }

  /** A queued request. */
  private static final class Pending implements BatchPolicy.Queued {
    final InferenceRequest request;
    final Object key;
    final long items;
    final long arrivedNanos;
    final Promise<InferenceResponse> answer = Promise.promise();

    Pending(InferenceRequest request, Object key, long items, long arrivedNanos) {
      this.request = request;
      this.key = key;
      this.items = items;
      this.arrivedNanos = arrivedNanos;
    }

    @Override
    public Object key() {
      return key;
    }

    @Override
    public long items() {
      return items;
    }

    @Override
    public long arrivedNanos() {
      return arrivedNanos;
    }
  }
}
