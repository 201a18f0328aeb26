package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
  private static ApiKey key(List<String> scopes) {
    return new ApiKey("abcdefgh1234", "0a0b", "n", "o", List.of("simple"), scopes, 2.5, 5, 100, new QueueShare(2.5, 1, 3), 7,
        true, 3, 4);
  }

  @Test
  void theStoredFormReadsBackToTheSameKeyScopesIncluded() {
    ApiKey k = key(List.of(Scopes.INFER, Scopes.REPOSITORY));
    assertEquals(k, ApiKey.fromJson(new JsonObject(k.toJson().encode())));
    assertEquals(new JsonArray().add("infer").add("repository"), k.toJson().getJsonArray("scopes"));
  }

  @Test
  void aKeyStoredBeforeScopesExistedReadsAsInferOnly() {
    // the stored form of a key as gateways wrote it before scopes: no "scopes" field
    JsonObject old = new JsonObject("""
        {"id":"abcdefgh1234","prefix":"maas_abcdefgh1234","name":"old","owner":"","models":["*"],
         "rate_per_second":10.0,"burst":20,"daily_quota":0,"expires_at":0,"enabled":true,
         "created_at":1,"updated_at":1,"secret_sha256":"0a0b"}""");
    ApiKey k = ApiKey.fromJson(old);
    assertEquals(List.of("infer"), k.scopes());
    assertTrue(k.has(Scopes.INFER));
    assertFalse(k.has(Scopes.REPOSITORY));
    assertEquals(new JsonArray().add("infer"), k.toPublicJson().getJsonArray("scopes"), "shown once read");
  }

  @Test
  void theStoredFormKeepsTheQueueShareUnderItsJsonNames() {
    JsonObject stored = key(List.of(Scopes.INFER)).toJson();
    assertEquals(2.5, stored.getDouble("weight"));
    assertEquals(1, stored.getInteger("max_priority"));
    assertEquals(3, stored.getInteger("default_priority"));
    assertEquals(new QueueShare(2.5, 1, 3), ApiKey.fromJson(new JsonObject(stored.encode())).queueShare());
  }

  @Test
  void aKeyStoredBeforeQueueSharesExistedReadsWithWeight1AndTheDefaultLevels() {
    JsonObject old = new JsonObject("""
        {"id":"abcdefgh1234","prefix":"maas_abcdefgh1234","name":"old","owner":"","models":["*"],"scopes":["infer"],
         "rate_per_second":10.0,"burst":20,"daily_quota":0,"expires_at":0,"enabled":true,
         "created_at":1,"updated_at":1,"secret_sha256":"0a0b"}""");
    ApiKey k = ApiKey.fromJson(old);
    assertEquals(QueueShare.DEFAULT, k.queueShare());
    JsonObject shown = k.toPublicJson();
    assertEquals(1.0, shown.getDouble("weight"));
    assertEquals(0, shown.getInteger("max_priority"));
    assertEquals(0, shown.getInteger("default_priority"));
  }

  @Test
  void theAdminApiShowsTheScopes() {
    assertEquals(new JsonArray().add("repository"), key(List.of(Scopes.REPOSITORY)).toPublicJson().getJsonArray("scopes"));
  }
}
