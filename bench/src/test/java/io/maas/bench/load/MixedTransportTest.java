package io.maas.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MixedTransportTest {
  @Test
  void aFailureKindLeavesTheModelOut() {
    assertEquals("HTTP 503 (<model>): {\"error\":\"no worker can take a request for model '<model>' now\"}",
        MixedTransport.kind("m15", "HTTP 503 (m15): {\"error\":\"no worker can take a request for model 'm15' now\"}"));
    assertEquals("Connection reset", MixedTransport.kind("m15", "Connection reset"));
  }
}
