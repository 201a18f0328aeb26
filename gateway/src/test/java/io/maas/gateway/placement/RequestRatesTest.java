package io.maas.gateway.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.model.VersionUsage;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Request rates read from the request counts of successive announcements. */
class RequestRatesTest {
  private static final Unit M = new Unit("m", "1");

  private static Map<Unit, VersionUsage> count(long requests) {
    return Map.of(M, new VersionUsage("m", "1", 0, false, 0, 0, requests));
  }

  @Test
  void aSteadyRateIsApproachedAndAnUnchangedAnnouncementChangesNothing() {
    RequestRates rates = new RequestRates();
    rates.update("w", 0, count(0));
    assertEquals(0.0, rates.of("w").get(M));
    for (int s = 1; s <= 60; s++) {
      rates.update("w", s * 1000L, count(s * 50L));
      rates.update("w", s * 1000L, count(s * 50L + 7)); // the same announcement seen again: ignored
    }
    double rate = rates.of("w").get(M);
    assertTrue(rate > 49 && rate < 50.01, "50 a second after 6 time constants: " + rate);
  }

  @Test
  void aVersionThatStopsTakingRequestsCoolsDownAndWorkersThatLeaveAreForgotten() {
    RequestRates rates = new RequestRates();
    rates.update("w", 0, count(0));
    rates.update("w", 1000, count(100));
    double hot = rates.of("w").get(M);
    rates.update("w", 11_000, count(100));
    assertTrue(rates.of("w").get(M) < hot * 0.4, "10 s without requests: " + rates.of("w"));
    rates.retain(Set.of());
    assertTrue(rates.of("w").isEmpty());
  }
}
