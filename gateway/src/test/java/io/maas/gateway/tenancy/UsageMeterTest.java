package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageMeterTest {
  private final Map<String, Map<String, Long>> cluster = new HashMap<>();
  private final List<Promise<Void>> inFlight = new ArrayList<>();
  private int publications;

  /** Adds to the cluster's counters when the publication's answer is let through. */
  private Future<Void> add(String id, Map<String, Long> deltas) {
    publications++;
    Promise<Void> p = Promise.promise();
    inFlight.add(p);
    return p.future().onSuccess(v -> deltas.forEach((n, d) ->
        cluster.computeIfAbsent(id, k -> new HashMap<>()).merge(n, d, n.endsWith("_at") ? Math::max : Long::sum)));
  }

  private void answer(boolean ok) {
    List<Promise<Void>> now = new ArrayList<>(inFlight);
    inFlight.clear();
    now.forEach(p -> {
      if (ok) {
        p.complete();
      } else {
        p.fail("member gone");
      }
    });
  }

  @Test
  void manyCallsOfAKeyBecomeOnePublicationWithTheirSums() {
    UsageMeter meter = new UsageMeter(this::add);
    for (int i = 0; i < 1000; i++) {
      meter.succeeded("a", 2, 5, i % 2 == 0 ? 0 : 30, 100 + i);
    }
    meter.refused("a", "rate_limited", 50);
    meter.failed("b", "deadline_exceeded", 70);
    meter.publish();
    assertEquals(2, publications, "one per key");
    answer(true);
    assertEquals(Map.of("requests", 1001L, "successes", 1000L, "inferences", 2000L, "tokens", 5000L,
        "last_used_at", 1099L, "failures.rate_limited", 1L, "queue_wait_sum_micros", 15000L, "queue_wait_count", 1000L), cluster.get("a"));
    assertEquals(Map.of("requests", 1L, "last_used_at", 70L, "failures.deadline_exceeded", 1L), cluster.get("b"));
  }

  @Test
  void thisGatewaysReadersSeeWhatIsNotPublishedYetOrOnItsWay() {
    UsageMeter meter = new UsageMeter(this::add);
    meter.succeeded("a", 1, 0, 0, 10);
    meter.publish(); // on its way
    meter.succeeded("a", 1, 0, 0, 20); // not published
    assertEquals(Map.of("requests", 7L, "successes", 7L, "inferences", 7L, "last_used_at", 20L, "queue_wait_count", 2L),
        meter.withUnpublished("a", Map.of("requests", 5L, "successes", 5L, "inferences", 5L, "last_used_at", 1L)));
    answer(true);
    assertEquals(2L, meter.withUnpublished("a", cluster.get("a")).get("requests"), "published once, counted once");
  }

  @Test
  void aFailedPublicationIsKeptAndAddedWithTheNextOne() {
    UsageMeter meter = new UsageMeter(this::add);
    meter.succeeded("a", 1, 0, 0, 10);
    meter.publish();
    answer(false);
    meter.succeeded("a", 1, 0, 0, 20);
    meter.publish();
    answer(true);
    assertEquals(2L, cluster.get("a").get("requests"), "nothing lost");
  }

  @Test
  void cancellationsTimeoutsAndQueueWaitsAreCountedApartAndAddUpAcrossGateways() {
    UsageMeter one = new UsageMeter(this::add);
    UsageMeter two = new UsageMeter(this::add);
    one.cancelled("a", 10);
    one.timedOut("a", 11);
    one.succeeded("a", 1, 0, 1_500, 12);
    two.cancelled("a", 20);
    two.succeeded("a", 1, 0, 500, 21);
    one.publish();
    two.publish();
    answer(true);
    assertEquals(Map.of("requests", 5L, "successes", 2L, "inferences", 2L, "cancelled", 2L, "timed_out", 1L,
        "queue_wait_sum_micros", 2_000L, "queue_wait_count", 2L, "last_used_at", 21L), cluster.get("a"));
    io.vertx.core.json.JsonObject shown = KeyAdmin.usageJson(cluster.get("a"));
    assertEquals(2L, shown.getLong("cancelled"));
    assertEquals(1L, shown.getLong("timed_out"));
    assertEquals(new io.vertx.core.json.JsonObject().put("sum_micros", 2_000L).put("count", 2L),
        shown.getJsonObject("queue_wait"));
    assertEquals(new io.vertx.core.json.JsonObject(), shown.getJsonObject("failures"), "not failures by reason too");
  }
}
