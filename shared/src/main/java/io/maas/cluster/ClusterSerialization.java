package io.maas.cluster;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * The maas types that cross Hazelcast's wire (entry processors), as {@link IdentifiedDataSerializable}: a
 * class id and a few fields each, so no request path pays for Java serialization. Every member registers
 * this factory ({@link ClusteredVertx}): the gateways own the partitions entry processors run on, and a
 * worker (a lite member, which owns none) still shares the cluster's serialization configuration.
 */
public final class ClusterSerialization implements DataSerializableFactory {
  /** "ma": apart from Hazelcast's own (negative) factory ids. */
  public static final int FACTORY_ID = 0x6d61;
  static final int TOKEN_LEASE = 1;
  static final int TOKEN_RETURN = 2;
  static final int COUNTER_MERGE = 3;

  @Override
  public IdentifiedDataSerializable create(int classId) {
    return switch (classId) {
      case TOKEN_LEASE -> new TokenLease();
      case TOKEN_RETURN -> new TokenReturn();
      case COUNTER_MERGE -> new CounterMerge();
      default -> null;
    };
  }

  /** Registers the factory in a member's serialization settings. */
  public static void register(SerializationConfig config) {
    config.addDataSerializableFactory(FACTORY_ID, new ClusterSerialization());
  }
}
