package io.maas.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * An entry processor that crosses Hazelcast's wire as {@link IdentifiedDataSerializable} under
 * {@link ClusterSerialization}'s factory: subclasses give their class id and write and read their fields.
 */
abstract class ClusterEntryProcessor<K, V, R> implements EntryProcessor<K, V, R>, IdentifiedDataSerializable {
  private final int classId;

  ClusterEntryProcessor(int classId) {
    this.classId = classId;
  }

  @Override
  public final int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public final int getClassId() {
    return classId;
  }
}
