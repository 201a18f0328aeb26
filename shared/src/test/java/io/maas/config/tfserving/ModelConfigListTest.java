package io.maas.config.tfserving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maas.config.ModelBasePath;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TF Serving's model_config_list text format: what is read, what is warned about, what is refused. */
class ModelConfigListTest {

  @Test
  void versionPoliciesBecomeTritonsVocabulary() {
    ModelConfigList list = ModelConfigList.parse("""
        # comments and separators are allowed
        model_config_list: {
          config: { name: "a", base_path: "/a", model_version_policy: { latest: { num_versions: 2 } } },
          config { name: 'b'; base_path: '/b'; model_version_policy { all {} } }
          config { name: 'c' base_path: '/c' model_version_policy { latest {} } }
        }
        """, "models.config");
    assertEquals(List.of(
        new ModelBasePath("a", Path.of("/a"), new JsonObject().put("latest", new JsonObject().put("num_versions", 2L))),
        new ModelBasePath("b", Path.of("/b"), new JsonObject().put("all", new JsonObject())),
        new ModelBasePath("c", Path.of("/c"), new JsonObject().put("latest", new JsonObject().put("num_versions", 1)))),
        list.models());
    assertEquals(List.of(), list.warnings());
  }

  @Test
  void versionLabelsAreWarnedAboutNotSilentlyDropped() {
    ModelConfigList list = ModelConfigList.parse("""
        model_config_list { config { name: 'm' base_path: '/m'
          version_labels { key: 'stable' value: 1 } } }
        """, "f");
    assertEquals(List.of(new ModelBasePath("m", Path.of("/m"))), list.models());
    assertEquals(1, list.warnings().size());
    assertEquals("f: model 'm': version_labels are ignored (maas serves versions by number: /v1/models/m/versions/N)",
        list.warnings().get(0));
  }

  @Test
  void mistakesAreRefusedWithTheFileAndLine() {
    assertEquals("f, line 2: expected ':' or '{' after 'name'",
        refusal("model_config_list {\n config { name 'm' } }"));
    assertEquals("f, line 1: a '}' is missing", refusal("model_config_list { config { name: 'm' base_path: '/m' }"));
    assertEquals("f: a config has no base_path", refusal("model_config_list { config { name: 'm' } }"));
    assertEquals("f: model 'm': unknown field base_pth", refusal("model_config_list { config { name: 'm' base_path: '/m' base_pth: '/x' } }"));
    assertEquals("f: custom_model_config is not served; maas reads a model_config_list", refusal("custom_model_config {}"));
    assertEquals("f lists no model (model_config_list { config { name: ... base_path: ... } })", refusal(""));
  }

  private static String refusal(String text) {
    return assertThrows(IllegalArgumentException.class, () -> ModelConfigList.parse(text, "f")).getMessage();
  }
}
