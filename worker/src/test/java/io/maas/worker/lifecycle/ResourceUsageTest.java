package io.maas.worker.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.maas.config.SessionConfig;
import io.maas.config.SimConfig;
import io.maas.config.SlotConfig;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.VersionUsage;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.DeviceSlots;
import io.maas.worker.device.DeviceSlot;
import io.maas.worker.memory.FootprintMeter;
import io.maas.worker.memory.SlotFootprints;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelRepository;
import io.maas.worker.runtime.OrtRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a slot's versions take and how they are used, as the worker announces them: a real ONNX Runtime load of
 * the repository's MiniLM is measured (at least its file), and estimated before (twice its file); a sim slot's
 * versions take sim_model_mb or their memory_mb; the memory held follows loads, unloads and both sides of a
 * reload; a request moves its version's last use and in-flight count; a cold change counts cold loads in the
 * statistics, the meter and the slot's total.
 */
class ResourceUsageTest {
  private static final long MIB = 1024 * 1024;
  private static final String MINILM = "all-minilm-l6-v2";

  @TempDir
  Path repo;

  private Vertx vertx;
  private Context context;
  private WorkerExecutor executor;
  private DeviceSlot slot;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private ModelLifecycle lifecycle;
  /** The memory held at every change the lifecycle reported. */
  private final List<Long> usedAtChanges = new CopyOnWriteArrayList<>();

  private void open(SlotConfig config) throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    executor = vertx.createSharedWorkerExecutor("usage-test", 2);
    slot = await(DeviceSlots.open(vertx, executor, new OrtRuntime(OrtEnvironment.getEnvironment()), config, 0, 64,
        FootprintMeter.ofProcess()));
    lifecycle = new ModelLifecycle("w1", meters, executor, SlotFootprints.of(config),
        () -> usedAtChanges.add(lifecycle.memoryUsedBytes()));
  }

  private void openSim(long simModelMb, long baseMillis) throws Exception {
    open(new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), new SimConfig(baseMillis, 0, 0, simModelMb)));
  }

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      lifecycle.closeSessions();
      slot.close();
      executor.close();
      await(vertx.close());
    }
  }

  @Test
  void aRealLoadIsMeasuredAndEstimatedBefore() throws Exception {
    open(new SlotConfig("cpu", List.of(), new SessionConfig(1, 1, "all")));
    ModelDefinition minilm = new ModelRepository(Path.of(System.getProperty("maas.root"), "conf/models")).scan().stream()
        .filter(d -> d.name().equals(MINILM)).findFirst().orElseThrow();
    long fileBytes = Files.size(minilm.versions().get(1L));
    assertTrue(fileBytes > 10 * MIB, "the real MiniLM, unpacked by the build: " + fileBytes);

    await(onContext(() -> {
      lifecycle.declareUnloaded(List.of(minilm));
      return Future.succeededFuture();
    }));
    VersionUsage before = usage(MINILM);
    assertEquals(new VersionUsage(MINILM, "1", 2 * fileBytes, false, 0, 0), before, "twice the file, estimated");
    assertEquals(0, lifecycle.memoryUsedBytes(), "listed, not held");

    await(onContext(() -> lifecycle.change(slot, MINILM, Optional.of(minilm))));
    VersionUsage loaded = usage(MINILM);
    assertTrue(loaded.measured(), "measured as it loaded");
    assertTrue(loaded.footprintBytes() >= fileBytes, "at least the weights: " + loaded.footprintBytes());
    assertEquals(loaded.footprintBytes(), lifecycle.memoryUsedBytes());
    Gauge footprint = meters.find("maas.model.footprint").tags("model", MINILM, "version", "1", "worker", "w1").gauge();
    assertNotNull(footprint, "a loaded version's footprint gauge");
    assertEquals(loaded.footprintBytes(), (long) footprint.value());

    await(onContext(() -> lifecycle.change(slot, MINILM, Optional.empty())));
    assertEquals(0, lifecycle.memoryUsedBytes());
    assertEquals(new VersionUsage(MINILM, "1", loaded.footprintBytes(), true, 0, 0), usage(MINILM),
        "unloaded: what it measured here is remembered");
    assertNull(meters.find("maas.model.footprint").tags("model", MINILM).gauge(), "its gauge went with it");
  }

  @Test
  void aSimVersionTakesItsMemoryMbElseTheSlotsSimModelMb() throws Exception {
    openSim(300, 1);
    affine("plain", "");
    affine("stated", "memory_mb: 50\n");
    List<ModelDefinition> defs = new ModelRepository(repo).scan();
    await(onContext(() -> {
      lifecycle.declareUnloaded(defs);
      return Future.succeededFuture();
    }));
    assertEquals(new VersionUsage("plain", "1", 300 * MIB, false, 0, 0), usage("plain"));
    assertEquals(new VersionUsage("stated", "1", 50 * MIB, false, 0, 0), usage("stated"));

    await(onContext(() -> lifecycle.apply(slot, defs)));
    assertEquals(new VersionUsage("plain", "1", 300 * MIB, true, 0, 0), usage("plain"));
    assertEquals(new VersionUsage("stated", "1", 50 * MIB, true, 0, 0), usage("stated"));
  }

  @Test
  void theMemoryHeldFollowsLoadsUnloadsAndBothSidesOfAReload() throws Exception {
    openSim(100, 1);
    affine("a", "");
    affine("b", "memory_mb: 40\n");
    assertEquals(List.of(), lifecycle.usage());
    await(change("a"));
    assertEquals(100 * MIB, lifecycle.memoryUsedBytes());
    await(change("b"));
    assertEquals(140 * MIB, lifecycle.memoryUsedBytes());

    Path file = repo.resolve("a/1/model.onnx");
    Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 60_000));
    usedAtChanges.clear();
    await(change("a")); // changed files: loads again beside the one serving
    assertEquals(240 * MIB, usedAtChanges.stream().mapToLong(Long::longValue).max().orElseThrow(),
        "while the new one loads, both are held: " + usedAtChanges);
    poll(() -> lifecycle.memoryUsedBytes() == 140 * MIB, "the replaced one is closed");

    await(onContext(() -> lifecycle.change(slot, "a", Optional.empty())));
    assertEquals(40 * MIB, lifecycle.memoryUsedBytes());
    assertEquals(2, lifecycle.usage().size(), "the unloaded version is still listed");
  }

  @Test
  void aRequestMovesItsVersionsLastUseAndInFlight() throws Exception {
    openSim(100, 500); // a request holds the version for 0.5 s
    affine("a", "");
    await(change("a"));
    assertEquals(0, usage("a").lastUsedMillis());
    assertEquals(0, usage("a").inFlight());

    long before = System.currentTimeMillis();
    Promise<InferenceResponse> answered = Promise.promise();
    VersionUsage during = await(onContext(() -> {
      lifecycle.infer(affineRequest("a")).onComplete(answered);
      return Future.succeededFuture(usage("a"));
    }));
    assertEquals(1, during.inFlight(), "taken, not answered");
    assertTrue(during.lastUsedMillis() >= before && during.lastUsedMillis() <= System.currentTimeMillis(),
        "used when it took the request: " + during.lastUsedMillis());
    await(answered.future());
    VersionUsage after = await(onContext(() -> Future.succeededFuture(usage("a"))));
    assertEquals(0, after.inFlight());
    assertEquals(during.lastUsedMillis(), after.lastUsedMillis());
  }

  @Test
  void aColdChangeCountsColdLoadsInStatisticsMetricAndTheSlotsTotal() throws Exception {
    openSim(100, 1);
    affine("cold", "");
    affine("warm", "");
    await(onContext(() -> lifecycle.change(slot, "cold", definition("cold"), true)));
    await(change("warm"));
    assertEquals(1, coldLoadCount("cold"));
    assertEquals(0, coldLoadCount("warm"));
    assertEquals(1.0, coldLoadMeter("cold").count());
    assertEquals(0.0, coldLoadMeter("warm").count());
    assertEquals(1, lifecycle.coldLoads());

    await(onContext(() -> lifecycle.change(slot, "cold", definition("cold"), true)));
    assertEquals(1, lifecycle.coldLoads(), "a version already serving does not load again");

    await(onContext(() -> lifecycle.change(slot, "cold", Optional.empty())));
    await(onContext(() -> lifecycle.change(slot, "cold", definition("cold"), true)));
    assertEquals(2, lifecycle.coldLoads(), "the slot's total since it started");
    assertEquals(1, coldLoadCount("cold"), "statistics count since the version loaded");
  }

  private long coldLoadCount(String model) {
    JsonObject stats = lifecycle.statistics(model, "").getJsonObject(0);
    return stats.getLong("cold_load_count");
  }

  private Counter coldLoadMeter(String model) {
    return meters.get("maas.model.cold.loads").tags("model", model, "version", "1", "worker", "w1").counter();
  }

  /** The affine_fp32 model of conf/models under another name, with more configuration. */
  private void affine(String name, String config) throws Exception {
    Path source = Path.of(System.getProperty("maas.root"), "conf/models/affine_fp32");
    Files.createDirectories(repo.resolve(name).resolve("1"));
    Files.copy(source.resolve("1/model.onnx"), repo.resolve(name).resolve("1/model.onnx"));
    Files.writeString(repo.resolve(name).resolve("config.yaml"),
        "max_batch_size: 64\ninput: [{name: INPUT0, datatype: FP32, dims: [4]}]\n"
            + "output: [{name: OUTPUT0, datatype: FP32, dims: [2]}]\n" + config);
  }

  private static InferenceRequest affineRequest(String model) {
    return new InferenceRequest(model, "", "", List.of(new Tensor("INPUT0", DataType.FP32, new long[] {1, 4},
        new byte[16])), List.of(), null);
  }

  private VersionUsage usage(String model) {
    return lifecycle.usage().stream().filter(u -> u.model().equals(model)).findFirst().orElseThrow();
  }

  private Optional<ModelDefinition> definition(String model) {
    return new ModelRepository(repo).scan().stream().filter(d -> d.name().equals(model)).findFirst();
  }

  private Future<?> change(String model) {
    return onContext(() -> lifecycle.change(slot, model, definition(model)));
  }

  /** Runs on the slot's one context (the lifecycle is confined to it) and gives the outcome. */
  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  private void poll(Supplier<Boolean> condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!await(onContext(() -> Future.succeededFuture(condition.get())))) {
      assertFalse(System.nanoTime() > deadline, "not within 30 s: " + what);
      await(vertx.timer(10));
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
