package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.cluster.TokenLease;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.Future;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scopes: who may infer ({@link Admission#admit}) and who may manage the repository ({@link Caller}). */
class AdmissionTest {
  /** Counts leases, each from a full bucket of its own (the real entry processor on an in-memory entry). */
  private static final class CountingBuckets implements Buckets {
    int leases;

    @Override
    public Future<long[]> lease(ApiKey key, long want) {
      leases++;
      return Future.succeededFuture(new TokenLease(key.ratePerSecond(), key.burst(), key.dailyQuota(), want)
          .process(new AbstractMap.SimpleEntry<>(key.id(), null)));
    }

    @Override
    public void giveBack(ApiKey key, long tokens, long leasedAtMillis) {
    }
  }

  private final CountingBuckets buckets = new CountingBuckets();
  private final UsageMeter usage = new UsageMeter((id, deltas) -> Future.succeededFuture());
  // admit reads no key from the store: the caller is already authenticated
  private final Admission admission = new Admission(null,
      new RateLimiter(buckets, System::nanoTime, System::currentTimeMillis), usage, new AdminToken("admin"));

  private static ApiKey key(String... scopes) {
    return new ApiKey("abcdefgh1234", "00", "k", "", List.of("*"), List.of(scopes), 100, 100, 0, QueueShare.DEFAULT, 0, true, 1, 1);
  }

  private static Caller caller(ApiKey key) {
    return new Caller(key, limit -> { });
  }

  @Test
  void aKeyWithoutTheInferScopeIsDeniedNamingItCountedAndTakesNoToken() {
    Future<Void> admitted = admission.admit(caller(key(Scopes.REPOSITORY)), "simple");
    assertTrue(admitted.failed());
    MaasException e = (MaasException) admitted.cause();
    assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
    assertEquals("API key maas_abcdefgh1234 may not run inference: it lacks the 'infer' scope", e.getMessage());
    assertEquals(0, buckets.leases, "no rate-limit token taken");
    Map<String, Long> counted = usage.withUnpublished("abcdefgh1234", Map.of());
    assertEquals(1L, counted.get("requests"));
    assertEquals(1L, counted.get("failures.permission_denied"));
  }

  @Test
  void meteringCountsACancelledCallATimedOutCallAndAnAnsweredCallsQueueWait() {
    Caller c = caller(key(Scopes.INFER));
    io.maas.inference.InferenceRequest request = new io.maas.inference.InferenceRequest("simple", "", "r",
        List.of(), List.of(), new io.vertx.core.json.JsonObject());
    admission.meter(c, request, Future.failedFuture(new MaasException(ErrorCode.CANCELLED, "gone")));
    admission.meter(c, request, Future.failedFuture(new MaasException(ErrorCode.DEADLINE_EXCEEDED, "late")));
    admission.meter(c, request, Future.failedFuture(new MaasException(ErrorCode.UNAVAILABLE, "none")));
    admission.meter(c, request, Future.succeededFuture(new io.maas.gateway.pipeline.Served(
        new io.maas.inference.InferenceResponse("simple", "1", "r", List.of(), new io.vertx.core.json.JsonObject()), "w", 2_500)));
    Map<String, Long> counted = usage.withUnpublished("abcdefgh1234", Map.of());
    assertEquals(4L, counted.get("requests"));
    assertEquals(1L, counted.get("cancelled"));
    assertEquals(1L, counted.get("timed_out"));
    assertEquals(1L, counted.get("failures.unavailable"));
    assertEquals(null, counted.get("failures.cancelled"), "a cancellation is no failure by reason too");
    assertEquals(2_500L, counted.get("queue_wait_sum_micros"));
    assertEquals(1L, counted.get("queue_wait_count"));
  }

  @Test
  void aKeyWithTheInferScopeIsAdmittedWhateverElseItCarries() {
    assertTrue(admission.admit(caller(key(Scopes.INFER)), "simple").succeeded());
    assertTrue(admission.admit(caller(key(Scopes.INFER, Scopes.REPOSITORY)), "simple").succeeded());
    assertTrue(buckets.leases > 0, "admitted calls take tokens");
  }

  @Test
  void theRepositoryIsManagedByTheAdminTokenNobodyWhenKeysAreOffOrAKeyWithTheRepositoryScope() {
    assertTrue(Caller.ADMIN.mayManageRepository());
    assertTrue(Caller.ANONYMOUS.mayManageRepository());
    assertTrue(caller(key(Scopes.REPOSITORY)).mayManageRepository());
    assertTrue(caller(key(Scopes.INFER, Scopes.REPOSITORY)).mayManageRepository());
    assertFalse(caller(key(Scopes.INFER)).mayManageRepository());
  }
}
