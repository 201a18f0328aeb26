package io.maas.worker.batching;

import java.util.List;

/**
 * The priority levels of a model version's queue (Triton's {@code priority_levels}): numbered from 1, the
 * highest; each with its {@link QueuePolicy}. A model without priority levels has one.
 *
 * @param policies the policy of each level, level 1 first
 * @param defaultLevel the level of requests that name none (Triton's {@code default_priority_level})
 */
public record QueueLevels(List<QueuePolicy> policies, int defaultLevel) {

  public QueueLevels {
    policies = List.copyOf(policies);
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("a queue has at least one priority level");
    }
    if (defaultLevel < 1 || defaultLevel > policies.size()) {
      throw new IllegalArgumentException("default_priority_level must be within 1.." + policies.size() + ", not "
          + defaultLevel);
    }
  }

  /** One level with this policy. */
  public static QueueLevels single(QueuePolicy policy) {
    return new QueueLevels(List.of(policy), 1);
  }

  public int count() {
    return policies.size();
  }

  /** The level of a request asking for {@code asked}: 0 is the default level, a level beyond the last the last. */
  public int levelOf(int asked) {
    return asked <= 0 ? defaultLevel : Math.min(asked, policies.size());
  }

  public QueuePolicy policy(int level) {
    return policies.get(level - 1);
  }

  /** The most requests the queue holds, all levels together. */
  public int capacity() {
    return policies.stream().mapToInt(QueuePolicy::maxQueueSize).sum();
  }
}
