package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyViewTest {
  private static ApiKey version(long updatedAt, boolean enabled) {
    return new ApiKey("abcdefgh1234", "0a0b", "k", "", List.of("*"), Scopes.DEFAULT, 1, 1, 0, QueueShare.DEFAULT, 0, enabled, 1, updatedAt);
  }

  @Test
  void aBulkLoadRacingTheEventsNeverBringsBackAnOlderVersion() {
    KeyView view = new KeyView();
    view.changed(version(20, false)); // the revocation's event came first
    view.loaded(version(10, true)); // the load read the key before it
    assertFalse(view.find("abcdefgh1234").key().enabled(), "still revoked");
    view.loaded(version(20, true));
    assertFalse(view.find("abcdefgh1234").key().enabled(), "a load does not replace an equal version");
    view.changed(version(20, true));
    assertEquals(true, view.find("abcdefgh1234").key().enabled(), "events of the same instant apply in order");
    view.removed("abcdefgh1234");
    assertNull(view.find("abcdefgh1234"));
  }

  @Test
  void theSecretHashIsDecodedOnce() {
    KeyView view = new KeyView();
    view.changed(version(1, true));
    assertEquals(2, view.find("abcdefgh1234").secretHash().length);
  }
}
