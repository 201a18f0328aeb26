package io.maas.gateway.tenancy;

/**
 * What an API key asks of the workers' queues: its weight among the keys of one priority level, and the
 * priority levels it may use.
 *
 * @param weight its share of a level's capacity against other keys' weights (positive; 1 unless set)
 * @param maxPriority the best (lowest-numbered) level its requests may ask for: a request asking for better is
 *     clamped to it, not refused; 0 for any level
 * @param defaultPriority the level of its requests that name none; 0 for the model's {@code default_priority_level}
 */
public record QueueShare(double weight, int maxPriority, int defaultPriority) {
  /** A key that set nothing, and calls without keys: weight 1, any level, the model's default level. */
  public static final QueueShare DEFAULT = new QueueShare(1, 0, 0);

  public QueueShare {
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("weight must be a positive number, not " + weight);
    }
    if (maxPriority < 0) {
      throw new IllegalArgumentException("max_priority must be 0 (any level) or a level from 1, not " + maxPriority);
    }
    if (defaultPriority < 0) {
      throw new IllegalArgumentException("default_priority must be 0 (the model's default) or a level from 1, not "
          + defaultPriority);
    }
  }
}
