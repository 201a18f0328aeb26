package io.maas.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.inference.InferenceRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call's {@code grpc-timeout} becomes its request's deadline ({@link InferenceGrpcService#withinDeadline}). */
class GrpcTimeoutTest {
  private static InferenceRequest request(JsonObject parameters) {
    return new InferenceRequest("m", "", "r", List.of(), List.of(), parameters);
  }

  private static long timeoutOf(InferenceRequest r) {
    return r.parameters().getLong("timeout");
  }

  @Test
  void noGrpcTimeoutLeavesTheRequestAsItIs() {
    InferenceRequest r = request(new JsonObject());
    assertSame(r, InferenceGrpcService.withinDeadline(r, 0, 300_000));
  }

  @Test
  void theGrpcTimeoutBecomesTheTimeoutParameterJustPastVertxsOwnTimer() {
    long micros = timeoutOf(InferenceGrpcService.withinDeadline(request(new JsonObject()),
        System.nanoTime() + 2_000_000_000L, 300_000));
    assertTrue(micros > 1_000_000 && micros <= 2_002_000, "about 2 s, a millisecond or two over: " + micros);
    assertEquals(0, micros % 1_000, "whole milliseconds");
  }

  @Test
  void itIsCappedByTheLongestRequestTimeout() {
    assertEquals(300_000_000L, timeoutOf(InferenceGrpcService.withinDeadline(request(new JsonObject()),
        System.nanoTime() + 3_600_000_000_000L, 300_000)));
  }

  @Test
  void aShorterTimeoutParameterOfTheRequestWinsALongerOneIsCut() {
    InferenceRequest shorter = request(new JsonObject().put("timeout", 5_000L));
    assertSame(shorter, InferenceGrpcService.withinDeadline(shorter, System.nanoTime() + 2_000_000_000L, 300_000));
    long cut = timeoutOf(InferenceGrpcService.withinDeadline(request(new JsonObject().put("timeout", 60_000_000L)),
        System.nanoTime() + 2_000_000_000L, 300_000));
    assertTrue(cut <= 2_002_000, "cut to the call's: " + cut);
  }

  @Test
  void aTimeoutParameterOfTheWrongTypeIsLeftForThePipelineToRefuse() {
    InferenceRequest bad = request(new JsonObject().put("timeout", "soon"));
    assertSame(bad, InferenceGrpcService.withinDeadline(bad, System.nanoTime() + 2_000_000_000L, 300_000));
  }
}
