package io.maas.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Outcome counts per API key ({@link GatewayMetrics#recordKey}). */
class GatewayMetricsTest {
  @Test
  void eachKeysOutcomesAreCountedApartAndCallsWithoutAKeyAreNot() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GatewayMetrics metrics = new GatewayMetrics(registry);
    metrics.recordKey("abc", "CANCELLED");
    metrics.recordKey("abc", "CANCELLED");
    metrics.recordKey("abc", "OK");
    metrics.recordKey("def", "DEADLINE_EXCEEDED");
    metrics.recordKey("", "CANCELLED");
    assertEquals(2, registry.get("maas.gateway.key.requests").tags("key", "abc", "code", "CANCELLED").counter().count());
    assertEquals(1, registry.get("maas.gateway.key.requests").tags("key", "abc", "code", "OK").counter().count());
    assertEquals(1, registry.get("maas.gateway.key.requests").tags("key", "def", "code", "DEADLINE_EXCEEDED").counter()
        .count());
    assertNull(registry.find("maas.gateway.key.requests").tags("key", "").counter(), "no series without a key");
  }
}
