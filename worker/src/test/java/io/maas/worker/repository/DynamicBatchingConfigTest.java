package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.worker.batching.BatchPolicy;
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
  void batchingNeedsABatchDimension() {
    assertTrue(error("{\"max_batch_size\": 0, \"dynamic_batching\": {}}").contains("max_batch_size is 0"));
    // max_batch_size inferred from the model: checked once it is known
    DynamicBatching section = parse("{\"dynamic_batching\": {}}").dynamicBatching();
    assertThrows(IllegalArgumentException.class, () -> BatchPolicy.of(0, section, 256));
  }

  @Test
  void theQueueBoundFallsBackToTheWorkersDefault() {
    assertEquals(256, BatchPolicy.of(8, null, 256).maxQueueSize());
    assertEquals(256, BatchPolicy.of(8, new DynamicBatching(0, List.of(), null), 256).maxQueueSize());
    assertEquals(9, BatchPolicy.of(8, new DynamicBatching(0, List.of(), 9), 256).maxQueueSize());
  }
}
