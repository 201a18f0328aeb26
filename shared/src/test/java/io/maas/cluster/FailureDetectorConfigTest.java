package io.maas.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import io.maas.config.ClusterConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failure detector's timings are configuration keys that reach Hazelcast as they are set. */
class FailureDetectorConfigTest {
  @Test
  void heartbeatAndMemberTimeoutReachHazelcast() {
    Config c = ClusteredVertx.hazelcastConfig(new ClusterConfig("t", "127.0.0.1", 5701, List.of("127.0.0.1"), "", 2, 15, 7),
        "127.0.0.1");
    assertEquals("2", c.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("15", c.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("7", c.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("7", c.getProperty("hazelcast.merge.next.run.delay.seconds"));
  }

  @Test
  void theDefaultsAreOneTenAndFiveSeconds() {
    Config c = ClusteredVertx.hazelcastConfig(new ClusterConfig("t", "127.0.0.1", 5701, List.of("127.0.0.1"), ""),
        "127.0.0.1");
    assertEquals("1", c.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("10", c.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("5", c.getProperty("hazelcast.merge.next.run.delay.seconds"));
  }

  @Test
  void aTimeoutNotAboveTheHeartbeatIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ClusterConfig("t", "127.0.0.1", 5701, List.of(), "", 5, 5, 5));
    assertTrue(e.getMessage().contains("cluster.member_timeout_s"), e.getMessage());
  }
}
