package io.maas.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.tenancy.QueueShare;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The level a request is queued at: its `priority`, its key's default and ceiling, the model's levels. */
class PriorityLevelTest {
  private static final ModelStatus THREE_LEVELS = model(new JsonObject().put("dynamic_batching",
      new JsonObject().put("priority_levels", 3).put("default_priority_level", 2)));
  private static final ModelStatus NO_LEVELS = model(new JsonObject());

  private static ModelStatus model(JsonObject config) {
    return new ModelStatus("m", "1", ModelReadyState.READY, "", "onnxruntime_onnx", 8, List.of(), List.of(), null,
        config);
  }

  private static int level(Object priority, ModelStatus model, QueueShare share) {
    JsonObject parameters = new JsonObject();
    if (priority != null) {
      parameters.put("priority", priority);
    }
    return PriorityLevel.of(parameters, model, share);
  }

  @Test
  void aRequestNamesItsLevelOrGetsTheDefault() {
    assertEquals(1, level(1, THREE_LEVELS, QueueShare.DEFAULT));
    assertEquals(3, level(3L, THREE_LEVELS, QueueShare.DEFAULT));
    assertEquals(2, level(null, THREE_LEVELS, QueueShare.DEFAULT), "the model's default_priority_level");
    assertEquals(2, level(0, THREE_LEVELS, QueueShare.DEFAULT), "0 is the default");
    assertEquals(1, level(null, NO_LEVELS, QueueShare.DEFAULT), "a model without levels has one");
    assertEquals(1, level(1, NO_LEVELS, QueueShare.DEFAULT));
  }

  @Test
  void aKeysDefaultAndCeilingApply() {
    assertEquals(3, level(null, THREE_LEVELS, new QueueShare(1, 0, 3)), "the key's default_priority");
    assertEquals(3, level(null, THREE_LEVELS, new QueueShare(1, 0, 9)), "a key's level beyond the model's: the last");
    assertEquals(2, level(1, THREE_LEVELS, new QueueShare(1, 2, 0)), "better than max_priority: clamped, not refused");
    assertEquals(3, level(3, THREE_LEVELS, new QueueShare(1, 2, 0)), "worse than max_priority: as asked");
    assertEquals(3, level(1, THREE_LEVELS, new QueueShare(1, 5, 0)), "a ceiling beyond the levels: the last");
  }

  @Test
  void aPriorityThatIsNoLevelIsTheClientsMistake() {
    for (Object bad : new Object[] {4, -1, 2, "1", 1.5, true, new BigInteger("18446744073709551615")}) {
      ModelStatus model = bad.equals(2) ? NO_LEVELS : THREE_LEVELS;
      MaasException e = assertThrows(MaasException.class, () -> level(bad, model, QueueShare.DEFAULT), "" + bad);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().startsWith("parameters.priority must be"), e.getMessage());
    }
  }
}
