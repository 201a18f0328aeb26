package io.maas.gateway.routing;

import io.maas.bus.Addresses;
import io.maas.bus.Codecs;
import io.maas.config.GatewayConfig;
import io.maas.error.ErrorCode;
import io.maas.gateway.cluster.Poll;
import io.maas.inference.InferenceRequest;
import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * TEST ONLY: a started {@link WorkerRegistry} on a plain Vert.x, fed as workers feed it: announcements and
 * departures published on the event bus, and for each announced worker an address that answers the reachability
 * probe as a worker does (NOT_FOUND for the model ""). Nothing else of a worker is there.
 */
public final class AnnouncedWorkers implements AutoCloseable {
  private static final GatewayConfig CONFIG = new GatewayConfig("127.0.0.1", 0, 0, 1, 1, 1000);

  private final Vertx vertx = Vertx.vertx();
  private final WorkerRegistry registry;
  private final Set<String> listening = new HashSet<>();

  public AnnouncedWorkers() throws Exception {
    this(new SplittableRandom());
  }

  /** @param random the registry's draws of a version by traffic weight */
  public AnnouncedWorkers(RandomGenerator random) throws Exception {
    Codecs.register(vertx.eventBus());
    registry = new WorkerRegistry(vertx, CONFIG, null, random);
    Context context = vertx.getOrCreateContext();
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> registry.start().onComplete(started));
    started.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public WorkerRegistry registry() {
    return registry;
  }

  /** Announces a worker holding these model statuses, valid for {@code ttlMillis}. */
  public void announce(String workerId, long ttlMillis, int queueDepth, ModelStatus... models) throws Exception {
    if (listening.add(workerId)) {
      vertx.eventBus().<InferenceRequest>consumer(Addresses.worker(workerId),
          m -> m.fail(ErrorCode.NOT_FOUND.wireId(), "no model ''"))
          .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.eventBus().publish(Addresses.ANNOUNCE, new WorkerAnnouncement(workerId, "node", Addresses.worker(workerId),
        "cpu", List.of(models), ttlMillis, queueDepth, false, 1).toJson());
  }

  /** Publishes a worker's departure, as a draining worker does. */
  public void depart(String workerId) {
    vertx.eventBus().publish(Addresses.DEPART, new JsonObject().put("worker_id", workerId));
  }

  /** Polls until the condition holds, for at most 10 s. */
  public static void await(BooleanSupplier condition, String what) {
    Poll.until(Duration.ofSeconds(10), what, condition);
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
