package io.maas.worker.batching;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.worker.stats.ModelObserver;
import io.maas.worker.stats.QueueOutcome;
import io.vertx.core.Future;
import java.util.List;

/**
 * The scheduler of one model version on one device slot (Triton's dynamic batcher): ONE bounded {@link FairQueue}
 * in front of the model's instances, ordered by priority level and, within a level, by fair shares between keys.
 * Whenever an instance is free it takes a batch formed by the {@link BatchPolicy} (one request when batching is off)
 * and hands it to the {@link BatchRunner}. A request that finds its level full is refused at once with UNAVAILABLE,
 * unless it takes the place of a heavier key's newest request. A request whose deadline or queue timeout passes,
 * or whose client goes away, while it waits never runs: it is answered DEADLINE_EXCEEDED or CANCELLED at once.
 * Every execution and every answer is reported to the {@link ModelObserver}.
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
  private final FairQueue queue;
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
    this.queue = new FairQueue(policy.queues());
  }

  public BatchPolicy policy() {
    return policy;
  }

  /** Requests waiting for an execution now. */
  public synchronized int queued() {
    return queue.size();
  }

  /** Queues a validated request that came with no ticket: no key, weight 1, the default level, no deadline. */
  public Future<InferenceResponse> submit(InferenceRequest request) {
    return submit(request, Queueing.untracked());
  }

  /** Queues a validated request as its ticket says; its future completes with its answer. */
  public Future<InferenceResponse> submit(InferenceRequest request, Queueing queueing) {
    QueuedRequest r;
    try {
      r = new QueuedRequest(request, runner.batchKey(request), runner.items(request), clock.nanoTime(), queueing,
          policy.queues());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    QueuedRequest pushedOut;
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new MaasException(ErrorCode.UNAVAILABLE, "model " + model + " is unloading"));
      }
      if (queueing.cancelled()) {
        return Future.failedFuture(cancelled());
      }
      pushedOut = queue.add(r);
      if (pushedOut == r) {
        observer.rejected();
        return Future.failedFuture(new MaasException(ErrorCode.UNAVAILABLE, "the queue of model " + model
            + " on this worker is full (" + policy.queues().policy(r.level).maxQueueSize() + " requests waiting at "
            + "priority level " + r.level + "); retry later"));
      }
      observer.enqueued(r.tenant, r.level);
    }
    if (pushedOut != null) {
      leave(pushedOut, QueueOutcome.PUSHED_OUT, new MaasException(ErrorCode.UNAVAILABLE, "the queue of model " + model
          + " on this worker is full and a key with a smaller share took this request's place; retry later"));
    }
    queueing.onCancel(() -> cancel(r));
    dispatch();
    return r.answer.future();
  }

  /** Drops a request still waiting: its client went away. One already running finishes. */
  private void cancel(QueuedRequest r) {
    boolean removed;
    synchronized (this) {
      removed = queue.remove(r);
    }
    if (removed) {
      leave(r, QueueOutcome.CANCELLED, cancelled());
    }
  }

  private static MaasException cancelled() {
    return new MaasException(ErrorCode.CANCELLED, "cancelled: the client went away before the request ran");
  }

  /** Answers a request that left the queue without running. */
  private void leave(QueuedRequest r, QueueOutcome outcome, MaasException failure) {
    long waited = clock.nanoTime() - r.arrivedNanos;
    observer.dequeued(r.tenant, r.level, waited, outcome);
    observer.completed(false, r.items, 0, waited);
    r.answer.tryFail(failure);
  }

  /** Fails the requests still waiting; those running finish. */
  public void close() {
    List<QueuedRequest> dropped;
    synchronized (this) {
      closed = true;
      dropped = queue.drain();
    }
    for (QueuedRequest r : dropped) {
      leave(r, QueueOutcome.UNLOADED, new MaasException(ErrorCode.UNAVAILABLE, "model " + model + " was unloaded"));
    }
  }

  /**
   * Answers what expired, then starts a batch on every free instance the queue has work for; arms the timer for
   * the next batching delay or expiry.
   */
  private void dispatch() {
    while (true) {
      List<QueuedRequest> expired;
      List<QueuedRequest> batch = null;
      synchronized (this) {
        if (closed) {
          return;
        }
        long now = clock.nanoTime();
        expired = queue.expire(now, r -> observer.delayed(r.tenant, r.level));
        if (freeInstances > 0 && !queue.isEmpty()) {
          BatchPolicy.Decision<QueuedRequest> decision = policy.decide(queue.inOrder(), now);
          if (decision instanceof BatchPolicy.Run<QueuedRequest> run) {
            batch = List.copyOf(run.picked());
            queue.take(batch);
            freeInstances--;
          } else {
            armTimer(((BatchPolicy.Wait<QueuedRequest>) decision).untilNanos(), now);
          }
        }
        if (batch == null) {
          queue.nextExpiryNanos().ifPresent(at -> armTimer(at, now));
        }
      }
      expired.forEach(this::timedOut);
      if (batch == null) {
        return;
      }
      execute(batch);
    }
  }

  private void timedOut(QueuedRequest r) {
    long waited = clock.nanoTime() - r.arrivedNanos;
    String why = r.deadlinePassed(clock.nanoTime())
        ? "the request's deadline passed after it waited " + waited / 1_000 + " µs in the queue of model " + model
        : "the request waited " + waited / 1_000 + " µs in the queue of model " + model + ", over its queue timeout of "
            + r.queueTimeoutNanos / 1_000 + " µs at priority level " + r.level;
    leave(r, QueueOutcome.TIMED_OUT, new MaasException(ErrorCode.DEADLINE_EXCEEDED, why + "; it did not run"));
  }

  /** Wakes the batcher at {@code dueNanos}, unless a timer due no later is armed. */
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

  private void execute(List<QueuedRequest> batch) {
    long started = clock.nanoTime();
    for (QueuedRequest r : batch) {
      r.queueing.ran(started - r.arrivedNanos);
      observer.dequeued(r.tenant, r.level, started - r.arrivedNanos, QueueOutcome.RAN);
    }
    List<InferenceRequest> requests = batch.stream().map(r -> r.request).toList();
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
      long items = batch.stream().mapToLong(r -> r.items).sum();
      if (done.succeeded()) {
        BatchResult result = done.result();
        observer.executed(batch.size(), items, result.inputNanos(), result.inferNanos(), result.outputNanos());
        for (int i = 0; i < batch.size(); i++) {
          answer(batch.get(i), result.answers().get(i), started, finished);
        }
      } else {
        RuntimeException failure = done.cause() instanceof RuntimeException e
            ? e : new MaasException(ErrorCode.INTERNAL, "inference failed: " + done.cause(), done.cause());
        batch.forEach(r -> answer(r, BatchResult.Answer.failed(failure), started, finished));
      }
    });
  }

  private void answer(QueuedRequest r, BatchResult.Answer answer, long started, long finished) {
    observer.completed(answer.succeeded(), r.items, started - r.arrivedNanos, finished - r.arrivedNanos);
    if (answer.succeeded()) {
      r.answer.tryComplete(answer.response());
    } else {
      r.answer.tryFail(answer.failure());
    }
  }
}
