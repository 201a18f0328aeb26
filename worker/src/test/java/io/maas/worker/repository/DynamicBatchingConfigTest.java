package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.worker.batching.QueueLevels;
import io.maas.worker.batching.QueuePolicy;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dynamic_batching section: Triton's names, the aliases, and clear errors naming the key. */
class DynamicBatchingConfigTest {

  private static ModelConfig parse(String json) {
    return ModelConfig.fromJson("m", new JsonObject(json));
  }

  private static String error(String json) {
    return assertThrows(IllegalArgumentException.class, () -> parse(json)).getMessage();
  }

  @Test
  void absentMeansNoBatchingAndAnEmptySectionMeansTritonsDefaults() {
    assertNull(parse("{\"max_batch_size\": 8}").dynamicBatching());
    assertEquals(new DynamicBatching(0, List.of(), null),
        parse("{\"max_batch_size\": 8, \"dynamic_batching\": {}}").dynamicBatching());
  }

  @Test
  void tritonsNamesAndTheAliasesAreRead() {
    assertEquals(new DynamicBatching(500, List.of(4, 8), 100), parse("{\"max_batch_size\": 8, \"dynamic_batching\": "
        + "{\"max_queue_delay_microseconds\": 500, \"preferred_batch_size\": [8, 4], \"max_queue_size\": 100}}")
        .dynamicBatching());
    assertEquals(new DynamicBatching(250, List.of(2), 7), parse("{\"max_batch_size\": 8, \"dynamic_batching\": "
        + "{\"max_queue_delay_us\": \"250\", \"preferred_batch_sizes\": [2], "
        + "\"default_queue_policy\": {\"max_queue_size\": 7}}}").dynamicBatching());
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_delay_microseconds\": -1}}")
        .contains("max_queue_delay_microseconds"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_delay_us\": 60000000}}")
        .contains("0..10000000"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"preferred_batch_size\": [0]}}")
        .contains("preferred_batch_size"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"preferred_batch_size\": [16]}}")
        .contains("preferred_batch_size 16 is over max_batch_size 8"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_size\": 0}}")
        .contains("max_queue_size"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_delay\": 5}}")
        .contains("dynamic_batching.max_queue_delay is not a known key"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": true}").contains("dynamic_batching must be a mapping"));
  }

  @Test
  void priorityLevelsAndQueuePoliciesUseTritonsNames() {
    DynamicBatching d = parse("{\"max_batch_size\": 8, \"dynamic_batching\": {\"priority_levels\": 3, "
        + "\"default_priority_level\": 2, \"default_queue_policy\": {\"timeout_action\": \"DELAY\", "
        + "\"default_timeout_microseconds\": 50000, \"allow_timeout_override\": true, \"max_queue_size\": 9}, "
        + "\"priority_queue_policy\": {\"1\": {\"timeout_action\": \"REJECT\", \"default_timeout_microseconds\": "
        + "\"1000\", \"max_queue_size\": 4}}}}").dynamicBatching();
    QueueLevels levels = d.queueLevels(256);
    assertEquals(3, levels.count());
    assertEquals(2, levels.defaultLevel());
    assertEquals(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 1000, false, 4), levels.policy(1));
    assertEquals(new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, 50000, true, 9), levels.policy(2));
    assertEquals(levels.policy(2), levels.policy(3), "a level not named takes the default queue policy");
    assertEquals(2, levels.levelOf(0), "0 asks for the default level");
    assertEquals(3, levels.levelOf(7), "a level beyond the last is the last");
    // the JSON form, as the gateway and Triton's clients read it, parses back to the same
    assertEquals(d, DynamicBatching.fromJson(d.toJson()));
    assertEquals("DELAY", d.toJson().getJsonObject("default_queue_policy").getString("timeout_action"));
  }

  @Test
  void withoutPriorityLevelsThereIsOneLevelAndTheDefaultIsTheLastLevel() {
    assertEquals(1, parse("{\"max_batch_size\": 8, \"dynamic_batching\": {}}").dynamicBatching().queueLevels(5)
        .count());
    QueueLevels two = parse("{\"max_batch_size\": 8, \"dynamic_batching\": {\"priority_levels\": 2}}")
        .dynamicBatching().queueLevels(5);
    assertEquals(2, two.defaultLevel());
    assertEquals(5, two.policy(1).maxQueueSize(), "the worker's max_queue_size bounds each level");
  }

  @Test
  void badQueueSettingsAreRejectedNamingTheKey() {
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"priority_levels\": -1}}")
        .contains("priority_levels"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"priority_levels\": 2, "
        + "\"default_priority_level\": 3}}").contains("default_priority_level must be within 1..2"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"priority_levels\": 2, "
        + "\"priority_queue_policy\": {\"5\": {}}}}").contains("names level 5"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"default_queue_policy\": "
        + "{\"timeout_action\": \"DROP\"}}}").contains("default_queue_policy.timeout_action must be REJECT or DELAY"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"default_queue_policy\": "
        + "{\"default_timeout_microseconds\": -5}}}").contains("default_queue_policy.default_timeout_microseconds"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"default_queue_policy\": "
        + "{\"allow_timeout_override\": \"yes\"}}}").contains("allow_timeout_override must be true or false"));
    assertTrue(error("{\"max_batch_size\": 8, \"dynamic_batching\": {\"priority_queue_policy\": "
        + "{\"1\": {\"timeout\": 5}}}}").contains("priority_queue_policy.1.timeout is not a known key"));
  }

  @Test
  void batchingNeedsABatchDimension() {
    assertTrue(error("{\"max_batch_size\": 0, \"dynamic_batching\": {}}").contains("max_batch_size is 0"));
    // max_batch_size inferred from the model: checked once it is known
    ModelConfig inferred = parse("{\"dynamic_batching\": {}}");
    assertThrows(IllegalArgumentException.class, () -> inferred.batchPolicy(0, 256));
  }

  @Test
  void theQueueBoundFallsBackToTheWorkersDefault() {
    assertEquals(256, parse("{\"max_batch_size\": 8}").batchPolicy(8, 256).maxQueueSize());
    assertEquals(256, new DynamicBatching(0, List.of(), null).policy(8, 256).maxQueueSize());
    assertEquals(9, new DynamicBatching(0, List.of(), 9).policy(8, 256).maxQueueSize());
  }
}
