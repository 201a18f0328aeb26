package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * What a worker announces beyond the signature ({@link ModelConfig#servedSections}): Triton's JSON, with the
 * defaults filled in, and read back by the config parser into the same configuration.
 */
class ServedSectionsTest {

  private static ModelConfig parse(String json) {
    return ModelConfig.fromJson("m", new JsonObject(json));
  }

  @Test
  void aConfigWithoutSectionsAnnouncesTritonsDefaults() {
    JsonObject sections = parse("{}").servedSections();
    assertEquals(new JsonObject("""
        {"version_policy": {"latest": {"num_versions": 1}},
         "instance_group": [{"count": 1, "kind": "KIND_AUTO"}],
         "default_model_filename": "model.onnx"}"""), sections);
    assertFalse(sections.containsKey("dynamic_batching"), "no section: no batching");
  }

  @Test
  void everySectionIsAnnouncedInTritonsNamesAndReadsBackTheSame() {
    ModelConfig config = parse("""
        {"max_batch_size": 16,
         "version_policy": {"specific": {"versions": [3, 1]}},
         "instance_group": [{"count": 2, "kind": "kind_gpu", "gpus": [1]}],
         "dynamic_batching": {"max_queue_delay_us": 250, "preferred_batch_sizes": [8, 4], "max_queue_size": 64},
         "default_model_filename": "net.onnx"}""");
    JsonObject sections = config.servedSections();
    assertEquals(new JsonObject("""
        {"version_policy": {"specific": {"versions": [1, 3]}},
         "instance_group": [{"count": 2, "kind": "KIND_GPU", "gpus": [1]}],
         "dynamic_batching": {"preferred_batch_size": [4, 8], "max_queue_delay_microseconds": 250,
                              "priority_levels": 0, "default_priority_level": 0,
                              "default_queue_policy": {"timeout_action": "REJECT", "default_timeout_microseconds": 0,
                                                       "allow_timeout_override": false, "max_queue_size": 64}},
         "default_model_filename": "net.onnx"}"""), sections);

    ModelConfig again = ModelConfig.fromJson("m", sections.copy().put("max_batch_size", 16));
    assertEquals(config.versionPolicy(), again.versionPolicy());
    assertEquals(config.placement(), again.placement());
    assertEquals(config.dynamicBatching(), again.dynamicBatching());
    assertEquals(config.modelFilename(), again.modelFilename());
    assertEquals(new JsonObject("{\"all\": {}}"), parse("{\"version_policy\": {\"all\": {}}}").servedSections()
        .getJsonObject("version_policy"));
  }
}
