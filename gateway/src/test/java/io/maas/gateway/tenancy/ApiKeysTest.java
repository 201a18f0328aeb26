package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  @Test
  void aGeneratedKeyParsesBackToItsIdAndOnlyItsSecretMatchesTheStoredHash() {
    ApiKeys.NewKey k = ApiKeys.generate(new SecureRandom());
    assertTrue(k.token().matches("maas_[a-z0-9]{12}_[A-Za-z0-9_-]{43}"), k.id());
    ApiKeys.Parsed p = ApiKeys.parse(k.token()).orElseThrow();
    assertEquals(k.id(), p.id());
    assertTrue(ApiKeys.matches(p.secret(), k.secretHash()));
    assertFalse(ApiKeys.matches(p.secret() + "x", k.secretHash()));
    assertFalse(k.secretHash().contains(p.secret()), "only the hash is kept");
  }

  @Test
  void malformedTokensDoNotParse() {
    for (String t : new String[] {"", "maas_", "maas_ab_", "maas_ABCDEFGH_x", "sk-123", "maas_abcdefgh", "x".repeat(300)}) {
      assertTrue(ApiKeys.parse(t).isEmpty(), t);
    }
  }

  @Test
  void theAdminListingHoldsNeitherSecretNorHash() {
    ApiKeys.NewKey k = ApiKeys.generate(new SecureRandom());
    ApiKey key = new ApiKey(k.id(), k.secretHash(), "n", "o", java.util.List.of("*"), Scopes.DEFAULT, 1, 1, 0, QueueShare.DEFAULT, 0, true, 0, 0);
    String listed = key.toPublicJson().encode();
    assertFalse(listed.contains(k.secretHash()));
    assertFalse(listed.contains(k.token().substring(18)));
  }
}
