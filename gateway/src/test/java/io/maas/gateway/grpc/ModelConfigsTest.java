package io.maas.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maas.gateway.grpc.v2.ModelConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** maas's sections that Triton's ModelConfig message has no field for reach gRPC clients as JSON string parameters. */
class ModelConfigsTest {
  @Test
  void theVerifiedDigestAndThePolicySectionsAreJsonStringParameters() {
    String sha = "ab".repeat(32);
    ModelConfig config = ModelConfigs.fromJson(new JsonObject().put("name", "m").put("platform", "onnxruntime_onnx")
        .put("sha256", new JsonObject().put("1", sha)).put("version_labels", new JsonObject().put("stable", "1")));
    assertEquals("{\"1\":\"" + sha + "\"}", config.getParametersMap().get("sha256").getStringValue());
    assertEquals("{\"stable\":\"1\"}", config.getParametersMap().get("version_labels").getStringValue());
    assertEquals(2, config.getParametersCount());
  }
}
