package io.maas.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maas.config.GatewayConfig;
import org.junit.jupiter.api.Test;

class EdgeLimitsTest {
  @Test
  void theTensorElementsComeFromTheConfigurationAndTheTensorCountIsFixed() {
    EdgeLimits limits = EdgeLimits.of(new GatewayConfig("127.0.0.1", 0, 0, 1, 4096, 1000));
    assertEquals(4096, limits.maxTensorElements());
    assertEquals(1024, limits.maxTensors());
  }
}
