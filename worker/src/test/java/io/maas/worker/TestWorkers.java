package io.maas.worker;

import io.maas.bus.Addresses;
import io.maas.bus.Codecs;
import io.maas.config.SessionConfig;
import io.maas.config.SimConfig;
import io.maas.config.SlotConfig;
import io.maas.config.WorkerConfig;
import io.maas.model.ModelStatus;
import io.maas.model.WorkerAnnouncement;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.maas.worker.onnx.SampleModels;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Worker deployments for verticle tests: a small model repository and a wait for READY announcements. */
public final class TestWorkers {
  private TestWorkers() {}

  /** A deployed worker slot: its deployment id and the first announcement with every model READY. */
  public record Deployed(String deploymentId, WorkerAnnouncement ready) {}

  /**
   * Writes {@code simple} (config-less, INT32 [-1,16] in and out) and {@code ident} (FP32 [-1,3] identity,
   * max_batch_size 8, with the given instance count) into a repository.
   */
  public static Path repository(Path repo, int identInstances) {
    try {
      write(repo.resolve("simple/1/model.onnx"), SampleModels.simple());
      write(repo.resolve("ident/1/model.onnx"), OnnxModelBuilder.identity("ident", ElemType.FLOAT, -1, 3));
      Files.writeString(repo.resolve("ident/config.yaml"),
          "max_batch_size: 8\ninstance_count: " + identInstances + "\n");
      return repo;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  /** One sim slot over the repository, announcing every 100 ms. */
  public static WorkerConfig simWorker(Path repo, SimConfig sim, long drainGraceMillis) {
    return new WorkerConfig(repo, List.of(new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), sim)),
        100, 0, drainGraceMillis, 10_000);
  }

  /** Deploys the worker's single slot and completes once it announces every model of the repository READY. */
  public static Future<Deployed> deploy(Vertx vertx, WorkerConfig config) {
    Codecs.register(vertx.eventBus());
    Promise<WorkerAnnouncement> ready = Promise.promise();
    MessageConsumer<JsonObject> announcements = vertx.eventBus().consumer(Addresses.ANNOUNCE, msg -> {
      WorkerAnnouncement a = WorkerAnnouncement.fromJson(msg.body());
      if (!a.models().isEmpty() && a.models().stream().allMatch(ModelStatus::isReady)) {
        ready.tryComplete(a);
      }
    });
    return announcements.completion()
        .compose(v -> WorkerNode.deploy(vertx, config))
        .compose(ids -> ready.future().map(a -> new Deployed(ids.get(0), a)))
        .eventually(announcements::unregister);
  }
}
