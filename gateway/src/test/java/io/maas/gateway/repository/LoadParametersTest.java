package io.maas.gateway.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.model.ModelPolicy;
import io.maas.model.Replicas;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** replicas, traffic and version_labels load parameters: a JSON object (REST) or a JSON string (gRPC). */
class LoadParametersTest {
  private static String refused(Map<String, ?> parameters) {
    MaasException e = assertThrows(MaasException.class, () -> LoadParameters.of(parameters));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    return e.getMessage();
  }

  @Test
  void policyParametersAsObjectsOrStringsMakeThePolicy() {
    LoadParameters rest = LoadParameters.of(Map.of("traffic", new JsonObject("{\"2\": 10, \"1\": 90}"),
        "version_labels", new JsonObject("{\"stable\": 1}"), "replicas", new JsonObject("{\"min\": 1}")));
    assertEquals(new ModelPolicy(new Replicas(1, 0), Map.of("1", 90, "2", 10), Map.of("stable", "1")), rest.policy());
    LoadParameters grpc = LoadParameters.of(Map.of("traffic", "{\"2\": 10, \"1\": 90}",
        "version_labels", "{\"stable\": \"1\"}", "replicas", "{\"min\": 1}"));
    assertEquals(rest.policy(), grpc.policy());
    assertEquals(ModelPolicy.NONE, LoadParameters.of(Map.of()).policy());
  }

  @Test
  void badWeightsAndLabelsAreRefusedNamingTheParameter() {
    assertEquals("parameter 'traffic': traffic weights must not all be 0",
        refused(Map.of("traffic", "{\"1\": 0, \"2\": 0}")));
    assertTrue(refused(Map.of("traffic", "{\"1\": -10, \"2\": 110}")).startsWith("parameter 'traffic': traffic weight"
        + " of version 1 must be a whole number"));
    assertTrue(refused(Map.of("traffic", new JsonObject("{\"1\": 2.5}"))).startsWith("parameter 'traffic'"));
    assertTrue(refused(Map.of("traffic", "{\"latest\": 1}")).contains("is not a version number"));
    assertTrue(refused(Map.of("traffic", "{\"1\": 1")).startsWith("parameter 'traffic' is not a JSON object"));
    assertTrue(refused(Map.of("traffic", true)).startsWith("parameter 'traffic' must be a JSON object"));
    assertTrue(refused(Map.of("version_labels", "{\"9lives\": 1}")).startsWith("parameter 'version_labels'"));
    assertTrue(refused(Map.of("replicas", "{\"min\": 3, \"max\": 2}")).startsWith("parameter 'replicas'"));
    assertTrue(refused(Map.of("config", "{\"traffic\": {\"1\": -1}}")).startsWith("parameter 'config': traffic"));
    assertTrue(refused(Map.of("colour", "blue")).contains("'traffic'"), "the taken names are listed");
  }
}
