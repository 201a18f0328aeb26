package io.maas.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.SerializationConstants;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What crosses Hazelcast's wire on the request path is IdentifiedDataSerializable, never Java-serialized. */
class ClusterSerializationTest {
  private final InternalSerializationService serialization = serializationService();

  private static InternalSerializationService serializationService() {
    SerializationConfig config = new SerializationConfig();
    ClusterSerialization.register(config);
    return new DefaultSerializationServiceBuilder().setConfig(config).build();
  }

  private <T> T roundTrip(Object o) {
    Data data = serialization.toData(o);
    assertEquals(SerializationConstants.CONSTANT_TYPE_DATA_SERIALIZABLE, data.getType(),
        o.getClass().getSimpleName() + " is IdentifiedDataSerializable, not Java-serialized");
    return serialization.toObject(data);
  }

  @Test
  void aLeaseTravelsAsIdentifiedDataAndGrantsTheSameAfterwards() {
    TokenLease copy = roundTrip(new TokenLease(2.5, 7, 100, 3));
    Map.Entry<String, long[]> e = new AbstractMap.SimpleEntry<>("k", null);
    assertEquals(3, copy.process(e)[TokenLease.GRANTED]);
    long[] second = copy.process(e);
    assertEquals(3, second[TokenLease.GRANTED], "the same want");
    assertEquals(1, second[TokenLease.REMAINING], "burst 7: 1 left after 3 + 3");
  }

  @Test
  void aReturnAndCounterMergesTravelAsIdentifiedData() {
    TokenReturn back = roundTrip(new TokenReturn(1, 5, 2, System.currentTimeMillis()));
    Map.Entry<String, long[]> e = new AbstractMap.SimpleEntry<>("k", null);
    assertNull(back.process(e));
    HashMap<String, Long> deltas = new HashMap<>(Map.of("requests", 3L, "last_used_at", 10L));
    CounterMerge add = roundTrip(CounterMerge.add(deltas));
    Map.Entry<String, HashMap<String, Long>> counters =
        new AbstractMap.SimpleEntry<>("k", new HashMap<>(Map.of("requests", 2L, "last_used_at", 20L)));
    add.process(counters);
    assertEquals(5L, counters.getValue().get("requests"));
    assertEquals(20L, counters.getValue().get("last_used_at"), "times keep the largest");
    CounterMerge atLeast = roundTrip(CounterMerge.atLeast(new HashMap<>(Map.of("requests", 4L, "successes", 9L))));
    atLeast.process(counters);
    assertEquals(5L, counters.getValue().get("requests"), "an older copy does not lower a counter");
    assertEquals(9L, counters.getValue().get("successes"), "nor add to it: the larger value is kept");
  }

  @Test
  void theValuesOfTheBucketAndUsageMapsUseHazelcastsOwnSerializers() {
    Data bucket = serialization.toData(new long[] {1, 2, 3, 4});
    assertEquals(SerializationConstants.CONSTANT_TYPE_LONG_ARRAY, bucket.getType());
    assertArrayEquals(new long[] {1, 2, 3, 4}, (long[]) serialization.toObject(bucket));
    Data usage = serialization.toData(new HashMap<>(Map.of("requests", 1L)));
    assertEquals(SerializationConstants.JAVA_DEFAULT_TYPE_HASH_MAP, usage.getType());
  }
}
