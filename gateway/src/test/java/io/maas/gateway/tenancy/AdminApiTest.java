package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks of a create or update body ({@link AdminApi#apply}), here for the scopes. */
class AdminApiTest {
  private static final ApiKey FRESH = new ApiKey("abcdefgh1234", "0a0b", "", "", List.of("*"), Scopes.DEFAULT, 10,
      20, 0, 0, true, 1, 1);

  private static ApiKey apply(ApiKey k, String body) {
    return AdminApi.apply(k, new JsonObject(body));
  }

  @Test
  void aKeyGivenNoScopesKeepsInferOnlyAndAPatchWithoutScopesKeepsThem() {
    assertEquals(List.of("infer"), apply(FRESH, "{\"name\": \"x\"}").scopes());
    ApiKey repository = apply(FRESH, "{\"scopes\": [\"repository\"]}");
    assertEquals(List.of("repository"), repository.scopes());
    assertEquals(List.of("repository"), apply(repository, "{\"burst\": 3}").scopes());
  }

  @Test
  void scopesAreListedInOneOrderWithoutDuplicates() {
    assertEquals(List.of("infer", "repository"),
        apply(FRESH, "{\"scopes\": [\"repository\", \"infer\", \"repository\"]}").scopes());
  }

  @Test
  void anUnknownScopeIs400NamingTheValidOnes() {
    MaasException e = assertThrows(MaasException.class, () -> apply(FRESH, "{\"scopes\": [\"infer\", \"admin\"]}"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertEquals(400, e.code().httpStatus());
    assertEquals("unknown scope 'admin': the scopes are infer, repository", e.getMessage());
  }

  @Test
  void noScopesOrScopesOfTheWrongTypeAre400() {
    MaasException empty = assertThrows(MaasException.class, () -> apply(FRESH, "{\"scopes\": []}"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, empty.code());
    assertTrue(empty.getMessage().contains("infer, repository"), empty.getMessage());
    for (String bad : new String[] {"{\"scopes\": \"infer\"}", "{\"scopes\": [1]}", "{\"scopes\": null}"}) {
      assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(MaasException.class, () -> apply(FRESH, bad)).code(), bad);
    }
  }
}
