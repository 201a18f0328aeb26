package io.maas.worker.stats;

/** Combinations of observers. */
public final class ModelObservers {
  private ModelObservers() {}

  /** An observer telling both of every event, first {@code a}, then {@code b}. */
  public static ModelObserver both(ModelObserver a, ModelObserver b) {
    return new ModelObserver() {
      @Override
      public void executed(int requests, long batchSize, long inputNanos, long inferNanos, long outputNanos) {
        a.executed(requests, batchSize, inputNanos, inferNanos, outputNanos);
        b.executed(requests, batchSize, inputNanos, inferNanos, outputNanos);
      }

      @Override
      public void completed(boolean success, long items, long queueNanos, long totalNanos) {
        a.completed(success, items, queueNanos, totalNanos);
        b.completed(success, items, queueNanos, totalNanos);
      }

      @Override
      public void rejected() {
        a.rejected();
        b.rejected();
      }

      @Override
      public void enqueued(String tenant, int level) {
        a.enqueued(tenant, level);
        b.enqueued(tenant, level);
      }

      @Override
      public void dequeued(String tenant, int level, long waitedNanos, QueueOutcome outcome) {
        a.dequeued(tenant, level, waitedNanos, outcome);
        b.dequeued(tenant, level, waitedNanos, outcome);
      }

      @Override
      public void delayed(String tenant, int level) {
        a.delayed(tenant, level);
        b.delayed(tenant, level);
      }
    };
  }
}
