package io.maas.cluster;

import com.hazelcast.map.EntryProcessor;
import java.util.HashMap;
import java.util.Map;

/**
 * Adds to named counters held in one cluster-wide map entry, atomically on the entry's owner. Counters
 * whose name ends in {@code _at} keep the largest value instead (a time). Lives in shared because every
 * member may own a partition.
 */
public record CounterAdd(HashMap<String, Long> deltas) implements EntryProcessor<String, HashMap<String, Long>, Object> {
  @Override
  public Object process(Map.Entry<String, HashMap<String, Long>> entry) {
    HashMap<String, Long> counters = entry.getValue() == null ? new HashMap<>() : new HashMap<>(entry.getValue());
    deltas.forEach((name, v) -> counters.merge(name, v, name.endsWith("_at") ? Math::max : Long::sum));
    entry.setValue(counters);
    return null;
  }
}
