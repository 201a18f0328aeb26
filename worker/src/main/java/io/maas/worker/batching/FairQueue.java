package io.maas.worker.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The queue of one model version on one worker, in the order it serves requests: priority levels first (1 highest),
 * and within a level, keys by <em>start-time fair queuing</em> (Goyal, Vin and Cheng, SIGCOMM 1996).
 *
 * <ul>
 *   <li>Each level keeps a virtual time {@code V}: the start tag of the last request it sent to run.</li>
 *   <li>A request of key {@code k} arriving at its level gets the start tag {@code S = max(V, F(k))}, and moves
 *       {@code F(k)}, the key's finish tag, to {@code S + items / weight(k)}.</li>
 *   <li>The level serves requests in increasing start tags (arrival order breaks ties).</li>
 * </ul>
 * So a key alone gets everything (work-conserving: no request waits while the device could run it), keys competing
 * get items in proportion to their weights, and a light key's request is served within about one request of every
 * other active key, however deep a heavy key's backlog is. Cost is batch items (texts, rows), so a key sending
 * 64-text requests pays 64 times what one sending single texts pays.
 *
 * <p>Each level is bounded ({@code max_queue_size}). When a level is full, the arriving request takes the place of
 * the newest request of the key with the largest backlog per unit of weight, if that is not its own key and its own
 * backlog with it would be smaller ("longest queue drop"): a flood fills the queue, but cannot lock others out of it.
 *
 * <p>A request whose queue timeout passes is refused (REJECT) or moved behind its level's requests that have not
 * timed out (DELAY, as Triton); one whose deadline passes is refused. Not thread-safe: the batcher guards it.
 */
final class FairQueue {
  private static final Comparator<QueuedRequest> SERVICE_ORDER = Comparator
      .<QueuedRequest>comparingInt(r -> r.level)
      .thenComparing(r -> r.delayed)
      .thenComparingDouble(r -> r.rank)
      .thenComparingLong(r -> r.seq);
  private static final Comparator<QueuedRequest> EXPIRY_ORDER = (a, b) -> {
    long d = a.expiresAtNanos() - b.expiresAtNanos();
    return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(a.seq, b.seq);
  };

  private final QueueLevels levels;
  private final TreeSet<QueuedRequest> order = new TreeSet<>(SERVICE_ORDER);
  private final TreeSet<QueuedRequest> expiries = new TreeSet<>(EXPIRY_ORDER);
  private final Level[] byLevel;
  private long arrivals;
  private long demotions;

  /** One priority level: its virtual time, its size, and its keys' flows. */
  private static final class Level {
    double virtualTime;
    int size;
    final Map<String, Flow> flows = new HashMap<>();
  }

  /** One key's requests at one level: its finish tag, and what it has queued (oldest first). */
  private static final class Flow {
    double finish;
    long backlog;
    final ArrayDeque<QueuedRequest> queued = new ArrayDeque<>();
  }

  FairQueue(QueueLevels levels) {
    this.levels = levels;
    this.byLevel = new Level[levels.count()];
    for (int i = 0; i < byLevel.length; i++) {
      byLevel[i] = new Level();
    }
  }

  /**
   * Queues a request.
   *
   * @return null when it was queued with room to spare; the request itself when it is refused (its level is full
   *     and it cannot take another key's place); else the request it pushed out, removed from the queue
   */
  QueuedRequest add(QueuedRequest r) {
    Level level = byLevel[r.level - 1];
    QueuedRequest pushedOut = null;
    if (level.size >= levels.policy(r.level).maxQueueSize()) {
      pushedOut = heaviestOtherThan(level, r);
      if (pushedOut == null) {
        return r;
      }
      remove(pushedOut);
    }
    Flow flow = level.flows.computeIfAbsent(r.tenant, t -> new Flow());
    double start = Math.max(level.virtualTime, flow.finish);
    flow.finish = start + r.items / r.weight;
    r.rank = start;
    r.seq = ++arrivals;
    r.delayed = false;
    flow.queued.addLast(r);
    flow.backlog += r.items;
    level.size++;
    order.add(r);
    if (r.expires()) {
      expiries.add(r);
    }
    return pushedOut;
  }

  /** The newest request of the key with the largest backlog per weight, if it is not r's and r's would be smaller. */
  private static QueuedRequest heaviestOtherThan(Level level, QueuedRequest r) {
    Flow own = level.flows.get(r.tenant);
    double ownShare = ((own == null ? 0 : own.backlog) + r.items) / r.weight;
    Flow heaviest = null;
    double most = 0;
    for (Flow f : level.flows.values()) {
      if (!f.queued.isEmpty()) {
        double share = f.backlog / f.queued.peekLast().weight;
        if (share > most) {
          most = share;
          heaviest = f;
        }
      }
    }
    return heaviest == null || heaviest == own || ownShare >= most ? null : heaviest.queued.peekLast();
  }

  /** Removes a request that will not run (cancelled, pushed out); false when it is not queued (any more). */
  boolean remove(QueuedRequest r) {
    if (!order.remove(r)) {
      return false;
    }
    expiries.remove(r);
    Level level = byLevel[r.level - 1];
    Flow flow = level.flows.get(r.tenant);
    if (flow.queued.peekLast() == r && !r.delayed) {
      flow.finish = r.rank; // the key is not charged for what it will not get
    }
    flow.queued.removeLastOccurrence(r);
    left(level, flow, r);
    return true;
  }

  /** Takes requests out to run: the level's virtual time moves to their start tags. */
  void take(List<QueuedRequest> batch) {
    for (QueuedRequest r : batch) {
      order.remove(r);
      expiries.remove(r);
      Level level = byLevel[r.level - 1];
      if (!r.delayed) {
        level.virtualTime = Math.max(level.virtualTime, r.rank);
      }
      Flow flow = level.flows.get(r.tenant);
      flow.queued.removeFirstOccurrence(r);
      left(level, flow, r);
    }
  }

  private static void left(Level level, Flow flow, QueuedRequest r) {
    flow.backlog -= r.items;
    level.size--;
    if (level.size == 0) { // the level is idle: a new busy period starts with every key even
      for (Flow f : level.flows.values()) {
        level.virtualTime = Math.max(level.virtualTime, f.finish);
      }
      level.flows.clear();
    } else if (flow.queued.isEmpty() && flow.finish <= level.virtualTime) {
      level.flows.remove(r.tenant);
    }
  }

  /**
   * Acts on every request whose deadline or queue timeout has passed: refused ones leave the queue and are returned;
   * DELAY ones move behind their level's requests that have not timed out, and are told to {@code delayed}.
   */
  List<QueuedRequest> expire(long now, Consumer<QueuedRequest> delayed) {
    List<QueuedRequest> refused = null;
    while (!expiries.isEmpty() && expiries.first().expiresAtNanos() - now <= 0) {
      QueuedRequest r = expiries.first();
      if (r.deadlinePassed(now) || r.timeoutAction == QueuePolicy.TimeoutAction.REJECT) {
        remove(r);
        if (refused == null) {
          refused = new ArrayList<>();
        }
        refused.add(r);
      } else {
        expiries.remove(r);
        order.remove(r);
        r.delayed = true;
        r.rank = ++demotions;
        order.add(r);
        if (r.expires()) {
          expiries.add(r);
        }
        delayed.accept(r);
      }
    }
    return refused == null ? List.of() : refused;
  }

  /** When the next request expires, if any can. */
  OptionalLong nextExpiryNanos() {
    return expiries.isEmpty() ? OptionalLong.empty() : OptionalLong.of(expiries.first().expiresAtNanos());
  }

  /** The waiting requests in the order they are served. */
  Iterable<QueuedRequest> inOrder() {
    return order;
  }

  boolean isEmpty() {
    return order.isEmpty();
  }

  int size() {
    return order.size();
  }

  /** Empties the queue, returning what it held. */
  List<QueuedRequest> drain() {
    List<QueuedRequest> all = new ArrayList<>(order);
    order.clear();
    expiries.clear();
    for (Level level : byLevel) {
      level.flows.clear();
      level.size = 0;
    }
    return all;
  }
}
