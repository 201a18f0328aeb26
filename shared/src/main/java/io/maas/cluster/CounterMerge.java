package io.maas.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Merges named counters into one cluster-wide map entry, atomically on the entry's owner: {@link #add} adds
 * deltas (a gateway publishing what it counted), {@link #atLeast} keeps the larger of each counter (a
 * gateway bringing back its durable copy: counters only grow, so the larger value is the newer one, whichever
 * copy comes first). Counters whose name ends in {@code _at} always keep the largest value (a time). The
 * entry's value is a {@code HashMap<String, Long>}, which Hazelcast serializes natively.
 */
public final class CounterMerge extends ClusterEntryProcessor<String, HashMap<String, Long>, Object> {
  private Map<String, Long> counters;
  private boolean largest;

  /** For deserialization. */
  CounterMerge() {
    super(ClusterSerialization.COUNTER_MERGE);
  }

  private CounterMerge(Map<String, Long> counters, boolean largest) {
    super(ClusterSerialization.COUNTER_MERGE);
    this.counters = counters;
    this.largest = largest;
  }

  /** Adds each delta to its counter. */
  public static CounterMerge add(Map<String, Long> deltas) {
    return new CounterMerge(deltas, false);
  }

  /** Raises each counter to at least the given value. */
  public static CounterMerge atLeast(Map<String, Long> values) {
    return new CounterMerge(values, true);
  }

  @Override
  public Object process(Map.Entry<String, HashMap<String, Long>> entry) {
    HashMap<String, Long> merged = entry.getValue() == null ? new HashMap<>() : new HashMap<>(entry.getValue());
    mergeInto(merged, counters, largest);
    entry.setValue(merged);
    return null;
  }

  /** Adds deltas to counters (times, {@code *_at}, keep the largest): the one rule, for local sums too. */
  public static void addInto(Map<String, Long> counters, Map<String, Long> deltas) {
    mergeInto(counters, deltas, false);
  }

  private static void mergeInto(Map<String, Long> target, Map<String, Long> values, boolean largest) {
    values.forEach((name, v) -> target.merge(name, v, largest || name.endsWith("_at") ? Math::max : Long::sum));
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeBoolean(largest);
    out.writeInt(counters.size());
    for (Map.Entry<String, Long> d : counters.entrySet()) {
      out.writeString(d.getKey());
      out.writeLong(d.getValue());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    largest = in.readBoolean();
    int n = in.readInt();
    counters = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      counters.put(in.readString(), in.readLong());
    }
  }
}
