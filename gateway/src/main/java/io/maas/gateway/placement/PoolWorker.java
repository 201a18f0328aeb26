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
 */
record PoolWorker(String id, long budgetBytes, Map<Unit, VersionUsage> listed, Set<Unit> failed, int load) {
  PoolWorker {
    listed = Map.copyOf(listed);
    failed = Set.copyOf(failed);
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

  int inFlight(Unit u) {
    VersionUsage use = listed.get(u);
    return use == null ? 0 : use.inFlight();
  }
}
