package io.maas.gateway.placement;

import io.maas.model.VersionUsage;
import java.util.Map;
import java.util.Set;

/**
 * A placed worker slot as placement sees it at one moment: its budget and, for every version it could hold, what
 * that costs there and how it is used there.
 *
 * @param budgetBytes its memory budget
 * @param listed each version its repository has (loaded or not), with its footprint and use on this worker
 * @param failed versions that failed to load here (not placed here again until loaded again through the API)
 * @param load the requests it holds now (queued or running), for choosing among workers with room
 * @param atMillis when the worker said what it lists (its clock): idle times are measured to then
 * @param rates each version's smoothed requests per second here ({@link RequestRates})
 */
record PoolWorker(String id, long budgetBytes, Map<Unit, VersionUsage> listed, Set<Unit> failed, int load,
    long atMillis, Map<Unit, Double> rates) {
  PoolWorker {
    listed = Map.copyOf(listed);
    failed = Set.copyOf(failed);
    rates = Map.copyOf(rates);
  }

  /** A worker whose request rates are not known (all 0). */
  PoolWorker(String id, long budgetBytes, Map<Unit, VersionUsage> listed, Set<Unit> failed, int load, long atMillis) {
    this(id, budgetBytes, listed, failed, load, atMillis, Map.of());
  }

  /** The version's smoothed requests per second here. */
  double rate(Unit u) {
    return rates.getOrDefault(u, 0.0);
  }

  boolean canHold(Unit u) {
    return listed.containsKey(u) && !failed.contains(u);
  }

  long footprint(Unit u) {
    VersionUsage use = listed.get(u);
    return use == null ? 0 : use.footprintBytes();
  }

  long lastUsed(Unit u) {
    VersionUsage use = listed.get(u);
    return use == null ? 0 : use.lastUsedMillis();
  }

  /**
   * How long the version had taken no request here when the worker said so: least recently used first, measured
   * on the worker's own clock at its own announcement, so that workers announcing at different moments compare
   * fairly (a version never used here: the longest).
   */
  long idleFor(Unit u) {
    long last = lastUsed(u);
    return last == 0 ? Long.MAX_VALUE : Math.max(0, atMillis - last);
  }

  int inFlight(Unit u) {
    VersionUsage use = listed.get(u);
    return use == null ? 0 : use.inFlight();
  }
}
