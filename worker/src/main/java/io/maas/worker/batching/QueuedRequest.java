package io.maas.worker.batching;

import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.vertx.core.Promise;

/**
 * A request waiting in a model version's {@link FairQueue}: what the batch policy needs (batch key, items, arrival),
 * whose it is and at which level, when it expires, and its place in the fair order. The queue sets the order
 * fields, under the batcher's lock.
 */
final class QueuedRequest implements BatchPolicy.Queued {
  final InferenceRequest request;
  final Object key;
  final long items;
  final long arrivedNanos;
  final Queueing queueing;
  final String tenant;
  final double weight;
  final int level;
  /** The level's queue timeout, 0 for none; its action. */
  final long queueTimeoutNanos;
  final QueuePolicy.TimeoutAction timeoutAction;
  final Promise<InferenceResponse> answer = Promise.promise();

  /** Start tag (fresh) or demotion count (delayed): the order within the level. */
  double rank;
  long seq;
  boolean delayed;

  QueuedRequest(InferenceRequest request, Object key, long items, long arrivedNanos, Queueing queueing,
      QueueLevels levels) {
    this.request = request;
    this.key = key;
    this.items = Math.max(1, items);
    this.arrivedNanos = arrivedNanos;
    this.queueing = queueing;
    this.tenant = queueing.ticket().tenant();
    this.weight = queueing.ticket().weight();
    this.level = levels.levelOf(queueing.ticket().priority());
    QueuePolicy policy = levels.policy(level);
    this.queueTimeoutNanos = policy.timeoutNanos(queueing.ticket().timeoutMicros());
    this.timeoutAction = policy.timeoutAction();
  }

  /** Whether it can still expire: its deadline, or a queue timeout not yet acted on. */
  boolean expires() {
    return queueing.hasDeadline() || (queueTimeoutNanos > 0 && !delayed);
  }

  /** When it next expires; meaningful only when it {@link #expires()}. */
  long expiresAtNanos() {
    long timeout = arrivedNanos + queueTimeoutNanos;
    if (queueTimeoutNanos > 0 && !delayed) {
      return queueing.hasDeadline() && queueing.deadlineNanos() - timeout < 0 ? queueing.deadlineNanos() : timeout;
    }
    return queueing.deadlineNanos();
  }

  boolean deadlinePassed(long now) {
    return queueing.hasDeadline() && now - queueing.deadlineNanos() >= 0;
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
