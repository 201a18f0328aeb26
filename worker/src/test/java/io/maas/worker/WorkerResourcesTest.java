package io.maas.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maas.bus.Addresses;
import io.maas.bus.Codecs;
import io.maas.config.ModelControlConfig;
import io.maas.config.SessionConfig;
import io.maas.config.SimConfig;
import io.maas.config.SlotConfig;
import io.maas.config.WorkerConfig;
import io.maas.model.ModelStatus;
import io.maas.model.VersionUsage;
import io.maas.model.WorkerAnnouncement;
import io.maas.model.WorkerResources;
import io.maas.worker.memory.FootprintMeter;
import io.maas.worker.memory.GpuMemory;
import io.maas.worker.memory.MemoryBudget;
import io.maas.worker.memory.ProcessMemory;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.runtime.OrtRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker announces its resources: its budget, the memory its versions hold, each version's footprint and use,
 * its cold loads; and keeps the same in its meters, which go with it. In placed mode it holds nothing at first and
 * lists estimates; a cuda slot whose budget cannot be read does not start in placed mode.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WorkerResourcesTest {
  private static final long MIB = 1024 * 1024;

  @TempDir
  Path dir;

  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private static SlotConfig sim(long memoryLimitMb) {
    return new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), new SimConfig(1, 0, 0, 150), memoryLimitMb);
  }

  /** Deploys the worker and completes with its first announcement that passes the test. */
  private Future<WorkerAnnouncement> deployUntil(Vertx vertx, WorkerConfig config, Predicate<WorkerAnnouncement> test) {
    Codecs.register(vertx.eventBus());
    Promise<WorkerAnnouncement> seen = Promise.promise();
    MessageConsumer<JsonObject> announcements = vertx.eventBus().consumer(Addresses.ANNOUNCE, msg -> {
      WorkerAnnouncement a = WorkerAnnouncement.fromJson(msg.body());
      if (test.test(a)) {
        seen.tryComplete(a);
      }
    });
    return announcements.completion()
        .compose(v -> WorkerNode.deploy(vertx, config, "node", meters, null))
        .compose(ids -> seen.future())
        .eventually(announcements::unregister);
  }

  private static boolean allReady(WorkerAnnouncement a) {
    return !a.models().isEmpty() && a.models().stream().allMatch(ModelStatus::isReady);
  }

  @Test
  void aWorkerAnnouncesItsBudgetTheMemoryItsVersionsHoldAndTheirUse(Vertx vertx) throws Exception {
    Path repo = TestWorkers.repository(dir, 1);
    WorkerConfig config = new WorkerConfig(repo, List.of(sim(0)), 100, 0);
    WorkerAnnouncement a = deployUntil(vertx, config, WorkerResourcesTest::allReady).await(30, TimeUnit.SECONDS);

    WorkerResources r = a.resources();
    assertEquals(false, r.placed(), "explicit mode");
    assertEquals(4096 * MIB, r.memoryLimitBytes(), "a sim slot's default budget");
    assertEquals(300 * MIB, r.memoryUsedBytes(), "two versions of sim_model_mb 150");
    assertEquals(List.of(new VersionUsage("ident", "1", 150 * MIB, true, 0, 0),
        new VersionUsage("simple", "1", 150 * MIB, true, 0, 0)),
        r.versions().stream().sorted(Comparator.comparing(VersionUsage::model)).toList());
    assertEquals(0, r.coldLoads());

    String scrape = meters.scrape();
    String worker = "worker=\"" + a.workerId() + "\"";
    assertTrue(scrape.contains("maas_worker_memory_budget_bytes{" + worker + "} " + (double) (4096 * MIB)), scrape);
    assertTrue(scrape.contains("maas_worker_memory_used_bytes{" + worker + "} " + (double) (300 * MIB)), scrape);
    assertTrue(scrape.contains("maas_model_footprint_bytes{model=\"ident\",version=\"1\"," + worker + "} "
        + (double) (150 * MIB)), scrape);
    assertTrue(scrape.contains("maas_model_cold_loads_total{model=\"simple\",version=\"1\"," + worker + "} 0.0"),
        scrape);

    vertx.undeploy(vertx.deploymentIDs().iterator().next()).await(30, TimeUnit.SECONDS);
    String after = meters.scrape();
    assertTrue(!after.contains("maas_worker_memory_") && !after.contains("maas_model_"), "gone with the worker: " + after);
  }

  @Test
  void aPlacedWorkerHoldsNothingAtFirstAndListsEstimates(Vertx vertx) throws Exception {
    Path repo = TestWorkers.repository(dir, 1);
    WorkerConfig config = new WorkerConfig(repo, List.of(sim(1000)), 100, 0)
        .withControl(new ModelControlConfig(ModelControlConfig.Mode.PLACED, List.of(), 15));
    WorkerAnnouncement a = deployUntil(vertx, config, x -> x.models().size() == 2).await(30, TimeUnit.SECONDS);

    WorkerResources r = a.resources();
    assertTrue(r.placed());
    assertEquals(1000 * MIB, r.memoryLimitBytes(), "memory_limit_mb");
    assertEquals(0, r.memoryUsedBytes());
    assertEquals(List.of(new VersionUsage("ident", "1", 150 * MIB, false, 0, 0),
        new VersionUsage("simple", "1", 150 * MIB, false, 0, 0)),
        r.versions().stream().sorted(Comparator.comparing(VersionUsage::model)).toList(), "estimated: never loaded");
  }

  /** A worker verticle of one slot over an empty repository, its GPUs read by a command that does not exist. */
  private Future<String> deployWithoutNvidiaSmi(Vertx vertx, SlotConfig slot, ModelControlConfig.Mode mode) {
    WorkerConfig config = new WorkerConfig(dir, List.of(slot), 100, 0)
        .withControl(new ModelControlConfig(mode, List.of(), 15));
    ProcessMemory memory = new ProcessMemory(new MemoryBudget(16L << 30, 0, new GpuMemory(dir.resolve("none").toString())),
        FootprintMeter.ofProcess());
    return vertx.deployVerticle(new WorkerVerticle("w-gpu", "node", slot, config,
        new OrtRuntime(OrtEnvironment.getEnvironment()), List.of(), List.of(), new ModelRepository(dir), null, meters,
        memory, null));
  }

  @Test
  void aPlacedCudaSlotWithoutNvidiaSmiOrMemoryLimitDoesNotStart(Vertx vertx) throws Exception {
    SlotConfig gpu = new SlotConfig("cuda:0", List.of("cuda"), new SessionConfig(1, 1, "all"));
    Throwable failure = deployWithoutNvidiaSmi(vertx, gpu, ModelControlConfig.Mode.PLACED)
        .<Throwable>transform(done -> Future.succeededFuture(done.cause()))
        .await(30, TimeUnit.SECONDS);
    assertTrue(failure != null && failure.getMessage().contains("memory_limit_mb"), "refused, saying what to set: "
        + failure);

    // explicit mode needs no budget: the slot starts (on the CPU here) and announces none
    deployWithoutNvidiaSmi(vertx, gpu, ModelControlConfig.Mode.EXPLICIT).await(30, TimeUnit.SECONDS);
    assertTrue(!meters.scrape().contains("maas_worker_memory_budget_bytes{worker=\"w-gpu\"}"));
  }
}
