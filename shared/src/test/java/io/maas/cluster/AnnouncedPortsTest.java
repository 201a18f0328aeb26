package io.maas.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import io.maas.config.ClusterConfig;
import io.maas.config.CommandLine;
import io.maas.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ports a member binds and the ports it tells the other members (a port mapping, a proxy): the keys reach
 * Hazelcast's public address and the event bus's options.
 */
class AnnouncedPortsTest {
  @Test
  void byDefaultTheBoundPortsAreAnnouncedAndHazelcastMayTakeTheNextPort() {
    ClusterConfig c = load();
    assertEquals(0, c.publicPort());
    assertEquals(0, c.busPort());
    assertEquals(0, c.busPublicPort());
    Config hazelcast = ClusteredVertx.hazelcastConfig(c, "127.0.0.1");
    assertNull(hazelcast.getNetworkConfig().getPublicAddress());
    assertTrue(hazelcast.getNetworkConfig().isPortAutoIncrement());
  }

  @Test
  void aPublicPortIsHazelcastsPublicAddressAndPinsTheBoundPort() {
    ClusterConfig c = load("--cluster-port", "29220", "--set", "cluster.public_port=29221", "--set",
        "cluster.bus_port=29222", "--set", "cluster.bus_public_port=29223");
    Config hazelcast = ClusteredVertx.hazelcastConfig(c, "127.0.0.1");
    assertEquals("127.0.0.1:29221", hazelcast.getNetworkConfig().getPublicAddress());
    assertEquals(29220, hazelcast.getNetworkConfig().getPort());
    assertFalse(hazelcast.getNetworkConfig().isPortAutoIncrement());
    assertEquals(29222, EventBusSettings.of(c, "127.0.0.1").getPort());
    assertEquals(29223, EventBusSettings.of(c, "127.0.0.1").getClusterPublicPort());
  }

  private static ClusterConfig load(String... args) {
    Map<String, String> env = new HashMap<>();
    Vertx vertx = Vertx.vertx();
    try {
      return new ConfigLoader(env, new HashMap<>()).load(vertx, CommandLine.parse(args)).await().cluster();
    } finally {
      vertx.close().await();
    }
  }
}
