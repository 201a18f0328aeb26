package io.maas.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bulkhead per worker, fair between tenants: {@link WorkerGuard#tryEnter}. */
class WorkerGuardTest {
  private static final int LIMIT = 8;
  private final WorkerGuard guard = new WorkerGuard("w", new GatewayConfig("127.0.0.1", 0, 0, 1, 1, 1000, 1000, LIMIT,
      GatewayConfig.BreakerConfig.DEFAULT));

  /** Enters as many times as admitted, up to n; the permits taken. */
  private List<WorkerGuard.Permit> fill(String tenant, int n) {
    List<WorkerGuard.Permit> permits = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      WorkerGuard.Entry e = guard.tryEnter(tenant);
      if (!e.admitted()) {
        assertEquals(WorkerGuard.Refusal.BULKHEAD_FULL, e.refusal());
        break;
      }
      permits.add(e.permit());
    }
    return permits;
  }

  @Test
  void oneTenantAloneGetsTheLimitAndNotOneMore() {
    assertEquals(LIMIT, fill("flood", LIMIT + 5).size());
    assertEquals(LIMIT, guard.held("flood"));
  }

  @Test
  void aSecondTenantEntersAFullBulkheadUpToItsFairShare() {
    fill("flood", LIMIT);
    List<WorkerGuard.Permit> quiet = fill("quiet", LIMIT);
    assertEquals(LIMIT / 2, quiet.size(), "limit / 2 tenants");
    assertFalse(guard.tryEnter("flood").admitted(), "the flooding key, over its share, is still refused");
  }

  @Test
  void theOvershootBeyondTheBulkheadNeverExceedsTheLimit() {
    fill("flood", LIMIT);
    int beyond = 0;
    for (int t = 0; t < 50; t++) {
      beyond += fill("t" + t, LIMIT).size();
    }
    assertEquals(LIMIT, beyond, "at most limit permits beyond the bulkhead, however many tenants ask");
  }

  @Test
  void permitsGoBackWhereTheyCameFromAndATenantHoldingNoneIsForgotten() {
    List<WorkerGuard.Permit> flood = fill("flood", LIMIT);
    List<WorkerGuard.Permit> quiet = fill("quiet", LIMIT);
    quiet.forEach(p -> p.complete(WorkerGuard.Outcome.SUCCESS, null));
    assertEquals(0, guard.held("quiet"));
    assertFalse(guard.tryEnter("flood").admitted(), "beyond-the-bulkhead permits do not free bulkhead room");
    flood.get(0).complete(WorkerGuard.Outcome.SUCCESS, null);
    assertTrue(guard.tryEnter("flood").admitted(), "a bulkhead permit given back is taken again");
    assertEquals(LIMIT / 2, fill("quiet", LIMIT).size(), "the room beyond is whole again");
  }

  @Test
  void whileTheBulkheadHasRoomEveryTenantEntersWhateverItHolds() {
    assertEquals(LIMIT - 1, fill("a", LIMIT - 1).size());
    assertTrue(guard.tryEnter("a").admitted(), "the last bulkhead permit, though 'a' holds more than its share");
  }
}
