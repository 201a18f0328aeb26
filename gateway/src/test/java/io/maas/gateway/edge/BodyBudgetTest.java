package io.maas.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BodyBudgetTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final BodyBudget budget = new BodyBudget(1000, meters);

  @Test
  void reservationsShareTheBudgetAndGiveItBack() {
    BodyBudget.Reservation a = budget.open();
    BodyBudget.Reservation b = budget.open();
    a.grow(600);
    b.grow(300);
    assertEquals(900, budget.reserved());
    MaasException refused = assertThrows(MaasException.class, () -> b.grow(101));
    assertEquals(ErrorCode.UNAVAILABLE, refused.code());
    assertEquals("1", refused.metadata().get("Retry-After"));
    assertEquals(900, budget.reserved(), "a refusal reserves nothing");
    a.shrink(100);
    assertEquals(800, budget.reserved());
    a.close();
    a.close();
    assertEquals(300, budget.reserved(), "closing twice gives back once");
    assertThrows(MaasException.class, () -> a.grow(1), "a closed reservation takes nothing more");
    b.close();
    assertEquals(0, budget.reserved());
    assertEquals(1, meters.get("maas.gateway.body.memory.refusals").counter().count());
    assertEquals(0, meters.get("maas.gateway.body.memory").gauge().value());
  }

  @Test
  void aShrinkNeverGivesBackMoreThanIsHeld() {
    BodyBudget.Reservation a = budget.open();
    a.grow(10);
    a.shrink(50);
    assertEquals(0, budget.reserved());
    assertEquals(0, a.held());
  }
}
