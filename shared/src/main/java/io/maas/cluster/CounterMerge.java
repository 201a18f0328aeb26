package io.maas.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Adds to named counters held in one cluster-wide map entry, atomically on the entry's owner. Counters
 * whose name ends in {@code _at} keep the largest value instead (a time). The entry's value is a
 * {@code HashMap<String, Long>}, which Hazelcast serializes natively.
 */
public final class CounterAdd implements EntryProcessor<String, HashMap<String, Long>, Object>,
    IdentifiedDataSerializable {
  private Map<String, Long> deltas;

  /** For deserialization. */
  CounterAdd() {}

  public CounterAdd(Map<String, Long> deltas) {
    this.deltas = deltas;
  }

  @Override
  public Object process(Map.Entry<String, HashMap<String, Long>> entry) {
    HashMap<String, Long> counters = entry.getValue() == null ? new HashMap<>() : new HashMap<>(entry.getValue());
    deltas.forEach((name, v) -> counters.merge(name, v, name.endsWith("_at") ? Math::max : Long::sum));
    entry.setValue(counters);
    return null;
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.COUNTER_ADD;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(deltas.size());
    for (Map.Entry<String, Long> d : deltas.entrySet()) {
      out.writeString(d.getKey());
      out.writeLong(d.getValue());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    deltas = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      deltas.put(in.readString(), in.readLong());
    }
  }
}
