package io.maas.worker.batching;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * How one model version's queue is turned into executions: a pure function of the queue, in the order it
 * serves requests (priority levels, then fair shares between keys: {@link FairQueue}), and the time, with
 * Triton's dynamic-batching semantics.
 *
 * <p>Without batching, each execution runs the first request alone. With batching, an execution takes
 * the first request and, in the queue's order, every later request with the same {@link BatchRunner#batchKey
 * key} that still fits (requests of other shapes wait for a later execution; batches mix keys and levels); it
 * runs at once when
 * <ul>
 *   <li>the batch is full: it holds {@code max_batch_size} items (the largest preferred size when there
 *       are preferred sizes, as in Triton), or a compatible request waits that does not fit any more;</li>
 *   <li>a preferred batch size can be formed: the longest run of those requests whose items add up to a
 *       preferred size runs, the others wait for the next execution;</li>
 *   <li>the oldest request gathered has waited {@code max_queue_delay}: what could be gathered runs (with a
 *       delay of 0, what is queued runs at once).</li>
 * </ul>
 * Otherwise the batcher waits until that delay ends, or until another request arrives.
 *
 * @param batching whether requests are merged at all
 * @param maxBatchSize the most items one execution may hold
 * @param maxQueueDelayNanos how long the oldest request may wait for others
 * @param preferredBatchSizes batch sizes run as soon as they can be formed, ascending
 * @param queues the queue's priority levels and their policies (bounds, timeouts)
 */
public record BatchPolicy(boolean batching, int maxBatchSize, long maxQueueDelayNanos,
    List<Integer> preferredBatchSizes, QueueLevels queues) {

  public BatchPolicy {
    preferredBatchSizes = List.copyOf(preferredBatchSizes);
    if (batching && maxBatchSize < 1) {
      throw new IllegalArgumentException("batching needs max_batch_size of 1 or more");
    }
  }

  /** One priority level holding at most {@code maxQueueSize} requests, with no queue timeout. */
  public BatchPolicy(boolean batching, int maxBatchSize, long maxQueueDelayNanos, List<Integer> preferredBatchSizes,
      int maxQueueSize) {
    this(batching, maxBatchSize, maxQueueDelayNanos, preferredBatchSizes,
        QueueLevels.single(QueuePolicy.bounded(maxQueueSize)));
  }

  /** One request per execution, at most {@code maxQueueSize} waiting. */
  public static BatchPolicy unbatched(int maxQueueSize) {
    return new BatchPolicy(false, 0, 0, List.of(), maxQueueSize);
  }

  /** The most requests the default priority level may hold waiting. */
  public int maxQueueSize() {
    return queues.policy(queues.defaultLevel()).maxQueueSize();
  }

  /** What the batcher knows of a queued request. */
  public interface Queued {
    Object key();

    long items();

    long arrivedNanos();
  }

  /** What to do now. */
  public sealed interface Decision<Q> permits Run, Wait {}

  /** Execute these requests (in the queue's order) as one batch now. */
  public record Run<Q>(List<Q> picked) implements Decision<Q> {}

  /** Run nothing until this time (or until another request arrives). */
  public record Wait<Q>(long untilNanos) implements Decision<Q> {}

  /**
   * Decides what a free instance does with the queue.
   *
   * @param queue the waiting requests in the order they are served; not empty
   * @param now the current time
   */
  public <Q extends Queued> Decision<Q> decide(Iterable<Q> queue, long now) {
    Iterator<Q> it = queue.iterator();
    Q head = it.next();
    if (!batching) {
      return new Run<>(List.of(head));
    }
    List<Q> picked = new ArrayList<>();
    picked.add(head);
    long cap = batchCap();
    long total = head.items();
    long oldest = head.arrivedNanos();
    int preferredCount = preferredBatchSizes.contains((int) total) ? 1 : 0;
    boolean full = total >= cap;
    while (it.hasNext() && !full) {
      Q q = it.next();
      if (!q.key().equals(head.key())) {
        continue;
      }
      if (total + q.items() > cap) {
        full = true;
        break;
      }
      picked.add(q);
      total += q.items();
      if (q.arrivedNanos() - oldest < 0) {
        oldest = q.arrivedNanos();
      }
      if (preferredBatchSizes.contains((int) total)) {
        preferredCount = picked.size();
      }
      full = total >= cap;
    }
    if (full) {
      return new Run<>(picked);
    }
    if (preferredCount > 0) {
      return new Run<>(picked.subList(0, preferredCount));
    }
    long due = oldest + maxQueueDelayNanos;
    return now - due >= 0 ? new Run<>(picked) : new Wait<>(due);
  }

  /** The most items a batch gathers: the largest preferred size, else max_batch_size (as Triton does). */
  public long batchCap() {
    return preferredBatchSizes.isEmpty() ? maxBatchSize : preferredBatchSizes.get(preferredBatchSizes.size() - 1);
  }
}
