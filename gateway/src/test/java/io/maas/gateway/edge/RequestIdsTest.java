package io.maas.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
  @Test
  void aSaneIdIsKeptAsItIs() {
    assertEquals("req-7", RequestIds.accept("req-7"));
    assertEquals("a.b_c:d-E9", RequestIds.accept("a.b_c:d-E9"));
    assertEquals("x", RequestIds.accept("x"), "one character is enough");
    String longest = "a".repeat(128);
    assertEquals(longest, RequestIds.accept(longest), "128 characters are allowed");
  }

  @Test
  void anythingElseIsReplacedByAFreshUuid() {
    for (String given : new String[] {null, "", "a".repeat(129), "has space", " lead", "trail ", "tab\there",
        "new\nline", "slash/", "per%cent", "quote\"", "é", "semi;colon"}) {
      String accepted = RequestIds.accept(given);
      assertNotEquals(given, accepted, String.valueOf(given));
      assertEquals(accepted, UUID.fromString(accepted).toString(), "a UUID in its canonical form for " + given);
    }
  }

  @Test
  void eachFreshIdIsNew() {
    assertNotEquals(RequestIds.accept(null), RequestIds.accept(null));
  }
}
