package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable copy holds a key as the cluster map does (its stored JSON), so every field of {@link ApiKey}
 * survives a restart; {@link KeyStore#start} reads these rows back with {@link ApiKey#fromJson}.
 */
class KeyDatabaseTest {
  @TempDir
  Path dir;

  @Test
  void aKeyWithItsScopesAndQueueShareSurvivesClosingAndReopeningTheDatabase() throws Exception {
    ApiKey k = new ApiKey("abcdefgh1234", "0a0b", "ops", "team", List.of("simple"), List.of("repository"), 1.5, 3, 9,
        new QueueShare(0.25, 2, 4), 0, true, 5, 6);
    try (KeyDatabase db = new KeyDatabase(dir)) {
      db.putKey(k.id(), k.toJson().encode());
    }
    try (KeyDatabase db = new KeyDatabase(dir)) {
      Map<String, String> rows = db.keys();
      assertEquals(1, rows.size());
      assertEquals(k, ApiKey.fromJson(new JsonObject(rows.get(k.id()))));
    }
  }

  @Test
  void aRowWrittenBeforeScopesExistedReadsBackAsInferOnly() throws Exception {
    try (KeyDatabase db = new KeyDatabase(dir)) {
      db.putKey("abcdefgh1234", "{\"id\":\"abcdefgh1234\",\"secret_sha256\":\"0a0b\",\"models\":[\"*\"],"
          + "\"rate_per_second\":10.0,\"burst\":20,\"updated_at\":1}");
    }
    try (KeyDatabase db = new KeyDatabase(dir)) {
      assertEquals(List.of("infer"), ApiKey.fromJson(new JsonObject(db.keys().get("abcdefgh1234"))).scopes());
    }
  }

  @Test
  void aRowWrittenBeforeQueueSharesExistedReadsBackWithTheDefaultShare() throws Exception {
    try (KeyDatabase db = new KeyDatabase(dir)) {
      db.putKey("abcdefgh1234", "{\"id\":\"abcdefgh1234\",\"secret_sha256\":\"0a0b\",\"models\":[\"*\"],"
          + "\"scopes\":[\"infer\"],\"rate_per_second\":10.0,\"burst\":20,\"updated_at\":1}");
    }
    try (KeyDatabase db = new KeyDatabase(dir)) {
      assertEquals(QueueShare.DEFAULT, ApiKey.fromJson(new JsonObject(db.keys().get("abcdefgh1234"))).queueShare());
    }
  }
}
