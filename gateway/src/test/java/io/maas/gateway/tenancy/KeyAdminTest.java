package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks of a create or update body ({@link KeyAdmin#apply}), here for the scopes and the queue share. */
class KeyAdminTest {
  private static final ApiKey FRESH = new ApiKey("abcdefgh1234", "0a0b", "", "", List.of("*"), Scopes.DEFAULT, 10,
      20, 0, QueueShare.DEFAULT, 0, true, 1, 1);

  private static ApiKey apply(ApiKey k, String body) {
    return KeyAdmin.apply(k, new JsonObject(body));
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

  @Test
  void aKeyGivenNoQueueShareHasTheDefaultAndAPatchChangesOnlyWhatItNames() {
    assertEquals(QueueShare.DEFAULT, apply(FRESH, "{\"name\": \"x\"}").queueShare());
    ApiKey set = apply(FRESH, "{\"weight\": 4, \"max_priority\": 2, \"default_priority\": 3}");
    assertEquals(new QueueShare(4, 2, 3), set.queueShare());
    assertEquals(new QueueShare(0.5, 2, 3), apply(set, "{\"weight\": 0.5}").queueShare());
    assertEquals(new QueueShare(4, 0, 3), apply(set, "{\"max_priority\": 0}").queueShare());
    assertEquals(new QueueShare(4, 2, 1), apply(set, "{\"default_priority\": 1.0}").queueShare());
    assertEquals(new QueueShare(4, 2, 3), apply(set, "{\"burst\": 3}").queueShare());
  }

  @Test
  void aWeightThatIsNoPositiveFiniteNumberIs400NamingTheField() {
    for (String bad : new String[] {"0", "-1", "\"2\"", "\"NaN\"", "null", "true", "[1]", "1e400", "-0.0"}) {
      MaasException e = assertThrows(MaasException.class, () -> apply(FRESH, "{\"weight\": " + bad + "}"), bad);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), bad);
      assertTrue(e.getMessage().startsWith("weight "), bad + ": " + e.getMessage());
    }
  }

  @Test
  void aPriorityThatIsNoIntegerFrom0Is400NamingTheField() {
    for (String field : new String[] {"max_priority", "default_priority"}) {
      for (String bad : new String[] {"-1", "1.5", "\"1\"", "null", "3000000000", "false"}) {
        MaasException e = assertThrows(MaasException.class,
            () -> apply(FRESH, "{\"" + field + "\": " + bad + "}"), field + " " + bad);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), field + " " + bad);
        assertTrue(e.getMessage().startsWith(field + " "), field + " " + bad + ": " + e.getMessage());
      }
    }
  }
}
