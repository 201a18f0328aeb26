package io.maas.worker.batching;

import io.maas.worker.repository.DynamicBatching;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How one model version's queue is turned into executions: a pure function of the queue and the time,
 * with Triton's dynamic-batching semantics.
 *
 * <p>Without batching, each execution runs the oldest request alone. With batching, an execution takes
 * the oldest request and, in arrival order, every later request with the same {@link BatchRunner#batchKey
 * key} that still fits (requests of other shapes wait for a later execution); it runs at once when
 * <ul>
 *   <li>the batch is full: it holds {@code max_batch_size} items (the largest preferred size when there
 *       are preferred sizes, as in Triton), or a compatible request waits that does not fit any more;</li>
 *   <li>a preferred batch size can be formed: the longest run of those requests whose items add up to a
 *       preferred size runs, the others wait for the next execution;</li>
 *   <li>the oldest request has waited {@code max_queue_delay}: what could be gathered runs (with a delay
 *       of 0, what is queued runs at once).</li>
 * </ul>
 * Otherwise the batcher waits until the oldest request's delay ends, or until another request arrives.
 *
 * @param batching whether requests are merged at all
 * @param maxBatchSize the most items one execution may hold
 * @param maxQueueDelayNanos how long the oldest request may wait for others
 * @param preferredBatchSizes batch sizes run as soon as they can be formed, ascending
 * @param maxQueueSize the most requests the queue may hold
 */
public record BatchPolicy(boolean batching, int maxBatchSize, long maxQueueDelayNanos,
    List<Integer> preferredBatchSizes, int maxQueueSize) {

  public BatchPolicy {
    preferredBatchSizes = List.copyOf(preferredBatchSizes);
    if (batching && maxBatchSize < 1) {
      throw new IllegalArgumentException("batching needs max_batch_size of 1 or more");
    }
    if (maxQueueSize < 1) {
      throw new IllegalArgumentException("max_queue_size must be 1 or more");
    }
  }

  /** One request per execution, at most {@code maxQueueSize} waiting. */
  public static BatchPolicy unbatched(int maxQueueSize) {
    return new BatchPolicy(false, 0, 0, List.of(), maxQueueSize);
  }

  /**
   * The policy of a model version.
   *
   * @param maxBatchSize its resolved max_batch_size
   * @param batching its dynamic_batching section, or null
   * @param defaultMaxQueueSize the worker's {@code max_queue_size}
   * @throws IllegalArgumentException when the section does not fit the model
   */
  public static BatchPolicy of(int maxBatchSize, DynamicBatching batching, int defaultMaxQueueSize) {
    if (batching == null) {
      return unbatched(defaultMaxQueueSize);
    }
    batching.checkAgainst(maxBatchSize);
    return new BatchPolicy(true, maxBatchSize, TimeUnit.MICROSECONDS.toNanos(batching.maxQueueDelayMicros()),
        batching.preferredBatchSizes(),
        batching.maxQueueSize() == null ? defaultMaxQueueSize : batching.maxQueueSize());
  }

  /** What the batcher knows of a queued request. */
  public interface Queued {
    Object key();

    long items();

    long arrivedNanos();
  }

  /** What to do now. */
  public sealed interface Decision permits Run, Wait {}

  /** Execute these queue positions (ascending) as one batch now. */
  public record Run(List<Integer> positions) implements Decision {}

  /** Run nothing until this time (or until another request arrives). */
  public record Wait(long untilNanos) implements Decision {}

  /**
   * Decides what a free instance does with the queue.
   *
   * @param queue the waiting requests, oldest first; not empty
   * @param now the current time
   */
  public Decision decide(List<? extends Queued> queue, long now) {
    if (!batching) {
      return new Run(List.of(0));
    }
    Queued head = queue.get(0);
    List<Integer> picked = new ArrayList<>();
    picked.add(0);
    long cap = batchCap();
    long total = head.items();
    int preferredCount = preferredBatchSizes.contains((int) total) ? 1 : 0;
    boolean full = total >= cap;
    for (int i = 1; i < queue.size() && !full; i++) {
      Queued q = queue.get(i);
      if (!q.key().equals(head.key())) {
        continue;
      }
      if (total + q.items() > cap) {
        full = true;
        break;
      }
      picked.add(i);
      total += q.items();
      if (preferredBatchSizes.contains((int) total)) {
        preferredCount = picked.size();
      }
      full = total >= cap;
    }
    if (full) {
      return new Run(picked);
    }
    if (preferredCount > 0) {
      return new Run(picked.subList(0, preferredCount));
    }
    long due = head.arrivedNanos() + maxQueueDelayNanos;
    return now - due >= 0 ? new Run(picked) : new Wait(due);
  }

  /** The most items a batch gathers: the largest preferred size, else max_batch_size (as Triton does). */
  public long batchCap() {
    return preferredBatchSizes.isEmpty() ? maxBatchSize : preferredBatchSizes.get(preferredBatchSizes.size() - 1);
  }
}
