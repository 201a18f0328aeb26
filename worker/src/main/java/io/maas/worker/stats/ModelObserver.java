package io.maas.worker.stats;

/**
 * What the scheduler of one model version on one worker reports as it serves requests; the KServe
 * statistics and the Prometheus metrics are built from it (Triton's vocabulary: a request holds
 * {@code items} batch items, one execution runs one batch of one or more requests).
 * Implementations are thread-safe and cheap: they are called on the request path. Every event is a no-op unless
 * an implementation takes it.
 */
public interface ModelObserver {

  /** Observes nothing. */
  ModelObserver NONE = new ModelObserver() {};

  /**
   * One execution (one model run) of a batch.
   *
   * @param requests how many requests the batch merged
   * @param batchSize the batch items it ran (the sum of the requests' items)
   * @param inputNanos time to prepare the inputs (merging, conversion to the runtime's tensors)
   * @param inferNanos time in the runtime
   * @param outputNanos time to convert and split the outputs
   */
  default void executed(int requests, long batchSize, long inputNanos, long inferNanos, long outputNanos) {}

  /**
   * One request answered.
   *
   * @param success whether it succeeded
   * @param items its batch items (1 for a model without a batch dimension)
   * @param queueNanos time from its arrival at the worker to the start of its execution (0 if it never ran)
   * @param totalNanos time from its arrival at the worker to its answer
   */
  default void completed(boolean success, long items, long queueNanos, long totalNanos) {}

  /** One request refused at once because the model's queue was full (or pushed out of it by a lighter key). */
  default void rejected() {}

  /** A request of the key ({@code tenant}, "" without keys) joined the queue at a priority level. */
  default void enqueued(String tenant, int level) {}

  /** A request left the queue after waiting {@code waitedNanos}: to run, or not ({@link QueueOutcome}). */
  default void dequeued(String tenant, int level, long waitedNanos, QueueOutcome outcome) {}

  /** A request waited past its level's queue timeout and was moved behind the level's others (DELAY). */
  default void delayed(String tenant, int level) {}
}
