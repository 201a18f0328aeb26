package io.maas.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.gateway.RunningNode;
import io.maas.gateway.SharedNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenAI's model list and model retrieval on a node with keys off: {@code GET /v1/models} lists every served model in
 * OpenAI's list shape; {@code GET /v1/models/{m}}, TF Serving's model status, carries OpenAI's model fields too; an
 * unknown model there is a 404 whose body both TF Serving's and OpenAI's clients read.
 */
@ExtendWith(SharedNode.class)
class OpenAiModelsTest {
  private static final Set<String> MODEL_FIELDS = Set.of("id", "object", "created", "owned_by");
  private static RunningNode node;

  @BeforeAll
  static void start(RunningNode shared) {
    node = shared;
  }

  @Test
  void theListHoldsEveryServedModelInOpenAisShape() throws Exception {
    HttpResponse<String> r = node.get("/v1/models");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    JsonObject list = RunningNode.json(r);
    assertEquals(Set.of("object", "data"), list.fieldNames());
    assertEquals("list", list.getString("object"));
    JsonArray data = list.getJsonArray("data");
    List<String> ids = data.stream().map(m -> ((JsonObject) m).getString("id")).toList();
    assertTrue(ids.containsAll(List.of("affine_fp32", "all-minilm-l6-v2", "simple", "versioned")), ids.toString());
    assertFalse(ids.contains("broken"), "a model no worker can serve is not listed: " + ids);
    assertEquals(ids.stream().sorted().toList(), ids, "sorted by id");
    long now = System.currentTimeMillis() / 1000;
    for (Object o : data) {
      JsonObject model = (JsonObject) o;
      assertEquals(MODEL_FIELDS, model.fieldNames(), model.encode());
      assertEquals("model", model.getString("object"));
      assertEquals("maas", model.getString("owned_by"));
      long created = model.getLong("created");
      assertTrue(created > now - 3600 && created <= now, "created is when the gateway heard of it: " + model.encode());
    }
  }

  @Test
  void retrievingAModelIsTfServingsStatusWithOpenAisFields() throws Exception {
    JsonObject listed = RunningNode.json(node.get("/v1/models")).getJsonArray("data").stream()
        .map(JsonObject.class::cast).filter(m -> m.getString("id").equals("affine_fp32")).findFirst().orElseThrow();
    HttpResponse<String> r = node.get("/v1/models/affine_fp32");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject model = RunningNode.json(r);
    for (String field : MODEL_FIELDS) {
      assertEquals(listed.getValue(field), model.getValue(field), field);
    }
    assertEquals("AVAILABLE", model.getJsonArray("model_version_status").getJsonObject(0).getString("state"));
  }

  @Test
  void anUnknownModelIsA404BothKindsOfClientRead() throws Exception {
    HttpResponse<String> r = node.get("/v1/models/nope");
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("NOT_FOUND", r.headers().firstValue("X-Maas-Error-Code").orElse(""));
    // TF Serving's {"error": "..."}; OpenAI's SDKs take a string error as the message of their NotFoundError
    assertEquals(new JsonObject().put("error", "unknown model 'nope'"), RunningNode.json(r));
  }

  @Test
  void theListTakesOnlyGet() throws Exception {
    HttpResponse<String> r = node.post("/v1/models", "{}");
    assertEquals(405, r.statusCode(), r.body());
    JsonObject error = RunningNode.json(r).getJsonObject("error");
    assertEquals("method_not_allowed", error.getString("code"), r.body());
    assertEquals("METHOD_NOT_ALLOWED", r.headers().firstValue("X-Maas-Error-Code").orElse(""));
  }
}
