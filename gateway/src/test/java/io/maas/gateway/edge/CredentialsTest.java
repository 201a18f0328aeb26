package io.maas.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.MultiMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialsTest {
  @Test
  void theBearerSchemeIsReadInAnyCase() {
    assertEquals("maas_k_s", Credentials.bearer("Bearer maas_k_s"));
    assertEquals("maas_k_s", Credentials.bearer("bearer maas_k_s"));
    assertEquals("maas_k_s", Credentials.bearer("BEARER maas_k_s"));
    assertEquals("maas_k_s", Credentials.bearer("bEaReR maas_k_s"));
  }

  @Test
  void theTokenIsHandedOnAsSent() {
    // whoever checks it trims it (Admission.authenticate, AdminToken.matches)
    assertEquals(" maas_k_s ", Credentials.bearer("Bearer  maas_k_s "));
    assertEquals("", Credentials.bearer("Bearer "));
  }

  @Test
  void anotherSchemeOrNoSchemeIsNoBearer() {
    assertNull(Credentials.bearer(null));
    assertNull(Credentials.bearer(""));
    assertNull(Credentials.bearer("Bearer"), "no space, no token");
    assertNull(Credentials.bearer("Bearer\tmaas_k_s"), "the scheme ends with a space");
    assertNull(Credentials.bearer("Basic dXNlcjpwYXNz"));
    assertNull(Credentials.bearer("maas_k_s"));
    assertNull(Credentials.bearer(" Bearer maas_k_s"), "leading whitespace");
  }

  @Test
  void theBearerTokenWinsOverTheApiKey() {
    assertEquals("b", Credentials.from(Map.of("authorization", "Bearer b", "x-api-key", "k")::get));
  }

  @Test
  void theApiKeyServesWhenThereIsNoBearerToken() {
    assertEquals("k", Credentials.from(Map.of("x-api-key", "k")::get));
    assertEquals("k", Credentials.from(Map.of("authorization", "Basic dXNlcjpwYXNz", "x-api-key", "k")::get));
    assertNull(Credentials.from(Map.of("authorization", "Basic dXNlcjpwYXNz")::get));
    assertNull(Credentials.from(Map.<String, String>of()::get));
  }

  @Test
  void httpHeadersAreFoundWhateverCaseTheClientWroteTheirNamesIn() {
    MultiMap rest = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer b");
    assertEquals("b", Credentials.from(rest::get));
    MultiMap apiKey = MultiMap.caseInsensitiveMultiMap().add("X-API-KEY", "k");
    assertEquals("k", Credentials.from(apiKey::get));
  }

  @Test
  void grpcMetadataIsReadTheSameWay() {
    MultiMap metadata = MultiMap.caseInsensitiveMultiMap().add("authorization", "bearer b").add("x-api-key", "k");
    assertEquals("b", Credentials.from(metadata::get));
    assertEquals("k", Credentials.from(MultiMap.caseInsensitiveMultiMap().add("x-api-key", "k")::get));
  }
}
