package io.maas.gateway.hedging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hedge budget: a share of the requests plus a burst, whatever asks for hedges. */
class HedgeBudgetTest {

  @Test
  void itStartsFullWithTheBurstThenRefillsOnlyWithRequests() {
    HedgeBudget budget = new HedgeBudget(5, 3);
    assertTrue(budget.trySpend());
    assertTrue(budget.trySpend());
    assertTrue(budget.trySpend());
    assertFalse(budget.trySpend(), "the burst is spent");
    for (int i = 0; i < 19; i++) {
      budget.fund();
    }
    assertFalse(budget.trySpend(), "19 requests fund 0.95 of a hedge");
    budget.fund();
    assertTrue(budget.trySpend(), "the 20th completes one");
  }

  @Test
  void underOverloadWhereEveryRequestWantsAHedgeTheHedgesStayWithinTheShareAndTheBurst() {
    HedgeBudget budget = new HedgeBudget(5, 10);
    int requests = 100_000;
    int hedges = 0;
    for (int i = 0; i < requests; i++) {
      budget.fund();
      if (budget.trySpend()) {
        hedges++;
      }
    }
    assertTrue(hedges <= requests * 0.05 + 10, "hedges: " + hedges);
    assertTrue(hedges >= requests * 0.05 - 1, "the budget is usable: " + hedges);
  }

  @Test
  void aSeededMixOfRequestsAndHedgeWishesNeverOverspends() {
    SplittableRandom random = new SplittableRandom(7);
    HedgeBudget budget = new HedgeBudget(2.5, 4);
    long requests = 0;
    long hedges = 0;
    for (int i = 0; i < 200_000; i++) {
      if (random.nextInt(3) > 0) {
        budget.fund();
        requests++;
      } else if (budget.trySpend()) {
        hedges++;
      }
      assertTrue(hedges <= requests * 0.025 + 4 + 1e-9, "after " + requests + " requests: " + hedges + " hedges");
    }
  }

  @Test
  void aRefundGivesBackAHedgeThatWasNotSentButNeverExceedsTheBurst() {
    HedgeBudget budget = new HedgeBudget(5, 1);
    assertTrue(budget.trySpend());
    budget.refund();
    assertEquals(1.0, budget.tokens());
    budget.refund();
    assertEquals(1.0, budget.tokens());
  }
}
