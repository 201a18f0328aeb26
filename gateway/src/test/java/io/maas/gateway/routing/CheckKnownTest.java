package io.maas.gateway.routing;

import static io.maas.gateway.routing.AnnouncedWorkers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maas.error.MaasException;
import io.maas.model.ModelPolicy;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The edges' early check (before a body is decoded) fails exactly as the pipeline's resolution would, but draws no
 * version by traffic weight: the pipeline's draw is the only one a request takes.
 */
class CheckKnownTest {
  private final AtomicInteger draws = new AtomicInteger();
  private AnnouncedWorkers workers;
  private WorkerRegistry registry;

  @BeforeEach
  void start() throws Exception {
    RandomGenerator counting = () -> {
      draws.incrementAndGet();
      return 0;
    };
    workers = new AnnouncedWorkers(counting);
    registry = workers.registry();
    workers.announce("w1", 60_000, 0, status("m", "1", ModelReadyState.READY), status("m", "2", ModelReadyState.READY),
        status("m", "3", ModelReadyState.LOADING), status("idle", "1", ModelReadyState.UNAVAILABLE));
    await(() -> registry.model("m").map(v -> v.readyVersions().size() == 2).orElse(false), "m announced");
    registry.policies().wanted("m", ModelPolicy.fromJson(new JsonObject()
        .put("traffic", new JsonObject().put("1", 50).put("2", 50))
        .put("version_labels", new JsonObject().put("stable", 1))));
  }

  @AfterEach
  void stop() throws Exception {
    workers.close();
  }

  private static ModelStatus status(String model, String version, ModelReadyState state) {
    return new ModelStatus(model, version, state, "", "onnxruntime_onnx", 0, List.of(), List.of());
  }

  @Test
  void aServableRequestPassesWithoutADraw() {
    registry.checkKnown("m", "");
    registry.checkKnown("m", "2");
    registry.checkKnown("m", "stable");
    assertEquals(0, draws.get());
    registry.resolve("m", "");
    assertEquals(1, draws.get(), "the pipeline's resolution draws, once");
  }

  @Test
  void whatResolveRefusesCheckKnownRefusesTheSame() {
    for (String[] request : new String[][] {{"other", ""}, {"m", "9"}, {"m", "canary"}, {"m", "3"}, {"idle", ""},
        {"idle", "1"}}) {
      MaasException byResolve = assertThrows(MaasException.class, call(() -> registry.resolve(request[0], request[1])));
      MaasException byCheck = assertThrows(MaasException.class,
          call(() -> registry.checkKnown(request[0], request[1])));
      assertEquals(byResolve.code(), byCheck.code(), String.join("/", request));
      assertEquals(byResolve.getMessage(), byCheck.getMessage(), String.join("/", request));
    }
    assertEquals(0, draws.get());
  }

  private static Executable call(Runnable r) {
    return r::run;
  }
}
