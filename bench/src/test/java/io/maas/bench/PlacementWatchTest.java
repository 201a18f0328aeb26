package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementWatchTest {
  private static final long MB = 1024 * 1024;

  private static JsonObject worker(String id, long usedMb, long limitMb, String... readyModels) {
    JsonArray holds = new JsonArray();
    for (String m : readyModels) {
      holds.add(new JsonObject().put("model", m).put("version", "1").put("state", "READY").put("in_flight", 3));
    }
    holds.add(new JsonObject().put("model", "loading").put("version", "1").put("state", "LOADING"));
    return new JsonObject().put("worker_id", id).put("memory_used_bytes", usedMb * MB)
        .put("memory_limit_bytes", limitMb * MB).put("cold_loads", 2).put("replicas_added", 3).put("evictions", 1)
        .put("holds", holds);
  }

  private static JsonObject view(JsonObject... workers) {
    return new JsonObject().put("decider", true).put("workers", new JsonArray(java.util.List.of((Object[]) workers)));
  }

  @Test
  void keepsTheHighestRatioEverySightOverBudgetAndTheCopies() {
    PlacementWatch w = new PlacementWatch();
    long t = System.currentTimeMillis();
    w.observe(t, view(worker("a", 200, 300, "m1", "m2"), worker("b", 100, 300, "m1")));
    assertEquals(2.0 / 3, w.maxRatio(), 1e-9);
    assertEquals(0, w.overBudget());
    assertTrue(w.readySomewhere("m2"));
    assertFalse(w.readySomewhere("loading"), "only READY counts");
    assertEquals(Map.of("m1", 2, "m2", 1), w.copiesNow());

    w.observe(t + 100, view(worker("a", 400, 300, "m2"), worker("b", 0, 300)));
    assertEquals(4.0 / 3, w.maxRatio(), 1e-9);
    assertEquals(1, w.overBudget());
    assertTrue(w.firstOverBudget().startsWith("a at "), w.firstOverBudget());
    assertEquals(Map.of("m2", 1), w.copiesNow());
    assertEquals(2, w.maxCopies().get("m1"), "the most copies seen, not the last");
    assertEquals(3.0, w.maxHeldPerCopy().get("m1"), 1e-9, "6 held over 2 copies");
    assertFalse(w.readySomewhere("m1"));
    assertTrue(w.decider());
  }

  @Test
  void notesWhenEachWorkerWasFirstListedAndFirstHeldAReadyVersion() {
    PlacementWatch w = new PlacementWatch();
    long t = System.currentTimeMillis();
    w.observe(t, view(worker("a", 100, 300, "m1")));
    w.observe(t + 1500, view(worker("a", 100, 300, "m1"), worker("new", 0, 300)));
    w.observe(t + 4000, view(worker("a", 100, 300, "m1"), worker("new", 100, 300, "m7")));
    long seen = w.firstSeen().get("new");
    long ready = w.firstReady().get("new");
    assertEquals(2500, ready - seen, 50);
    assertFalse(w.firstReady().containsKey("b"));
    w.observe(t + 4500, view(worker("a", 100, 300, "m1")));
    assertEquals(3, w.samples().size(), "one sample a second at most: 0, 1.5 and 4 s, not 4.5 s");
    PlacementWatch.Sample last = w.samples().get(2);
    assertEquals(2, last.workers());
    assertEquals(4, last.coldLoads());
    assertEquals(6, last.added());
    assertEquals(2, last.copiesReady());
  }
}
