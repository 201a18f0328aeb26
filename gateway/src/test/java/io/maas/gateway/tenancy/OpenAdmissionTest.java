package io.maas.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.pipeline.Served;
import io.maas.inference.InferenceRequest;
import io.vertx.core.Future;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys off is {@link Admission#OPEN}: it lets every call in and checks, limits and meters nothing. */
class OpenAdmissionTest {
  private static final ApiKey KEY = new ApiKey("abcdefgh1234", "00", "k", "", List.of("only-this"), List.of(), 0, 0,
      0, QueueShare.DEFAULT, 0, false, 1, 1);

  @Test
  void itSaysKeysAreOff() {
    assertTrue(Admission.OPEN.isOpen());
  }

  @Test
  void everyCallIsAdmittedWhateverItsCallerAndModel() {
    assertTrue(Admission.OPEN.admit(Caller.ANONYMOUS, "any").succeeded());
    assertTrue(Admission.OPEN.admit(Caller.ADMIN, "any").succeeded(), "even what keys on would refuse");
    assertTrue(Admission.OPEN.admit(new Caller(KEY, limit -> { }), "other").succeeded(),
        "a disabled key without scopes, for a model it may not use");
  }

  @Test
  void noTokenIsTheAdminsAndAnyTokenStandsForNoKey() {
    assertFalse(Admission.OPEN.isAdmin("admin"));
    assertFalse(Admission.OPEN.isAdmin(null));
    Future<ApiKey> key = Admission.OPEN.authenticate(null);
    assertTrue(key.succeeded());
    assertNull(key.result());
    assertNull(Admission.OPEN.authenticate("maas_abcdefgh1234_secret").result());
  }

  @Test
  void meteringIsHarmless() {
    InferenceRequest request = new InferenceRequest("m", "1", "", List.of(), List.of(), null);
    Admission.OPEN.meter(new Caller(KEY, limit -> { }), request, Future.<Served>failedFuture(
        new MaasException(ErrorCode.INTERNAL, "x")));
    Admission.OPEN.meter(Caller.ANONYMOUS, request, Future.<Served>succeededFuture());
  }
}
