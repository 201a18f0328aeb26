package io.maas.gateway.repository;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import io.maas.model.Sha256;
import io.maas.model.WantedModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model files uploaded through the repository API, by their SHA-256: in the cluster map
 * {@link WantedModel#FILES_MAP} (on the gateways, with a backup), where workers fetch them, and in every
 * gateway's {@code <gateway.data_dir>/model-files/}, from which a restarted gateway puts them back.
 */
public final class UploadedFiles {
  private static final Logger LOG = LoggerFactory.getLogger(UploadedFiles.class);
  static final String DIR = "model-files";

  private final Vertx vertx;
  private final IMap<String, byte[]> map;
  private final Path dir;
  private UUID listener;

  public UploadedFiles(Vertx vertx, HazelcastInstance hazelcast, Path dataDir) {
    this.vertx = vertx;
    this.map = hazelcast.getMap(WantedModel.FILES_MAP);
    this.dir = dataDir.resolve(DIR);
  }

  /** Puts this gateway's saved files back in the cluster, then saves every file uploaded anywhere. */
  public Future<Void> start() {
    return vertx.executeBlocking(() -> {
      int restored = 0;
      try (Stream<Path> saved = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
        for (Path p : saved.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).toList()) {
          if (map.putIfAbsent(p.getFileName().toString(), Files.readAllBytes(p)) == null) {
            restored++;
          }
        }
      }
      if (restored > 0) {
        LOG.info("uploaded model files: put {} back in the cluster from {}", restored, dir);
      }
      listener = map.addEntryListener((EntryAddedListener<String, byte[]>) this::save, true);
      return null;
    });
  }

  /**
   * Keeps uploaded files in the cluster and on this gateway's disk.
   *
   * @param byPath file contents by path in the model's directory
   * @return the SHA-256 (hex) of each, by path
   */
  public Future<Map<String, String>> put(Map<String, byte[]> byPath) {
    return vertx.executeBlocking(() -> {
      Map<String, String> digests = new HashMap<>();
      for (Map.Entry<String, byte[]> f : byPath.entrySet()) {
        String sha = Sha256.hex(f.getValue());
        write(sha, f.getValue());
        map.set(sha, f.getValue());
        digests.put(f.getKey(), sha);
      }
      return digests;
    });
  }

  private void save(EntryEvent<String, byte[]> event) {
    vertx.executeBlocking(() -> {
      write(event.getKey(), event.getValue());
      return null;
    }).onFailure(e -> LOG.warn("could not save uploaded model file {}: {}", event.getKey(), e.getMessage()));
  }

  private void write(String sha, byte[] bytes) throws IOException {
    Path file = dir.resolve(sha);
    if (Files.isRegularFile(file)) {
      return;
    }
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, sha, ".tmp"); // its own: the upload and its echo from the map may race
    try {
      Files.write(temp, bytes);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  public Future<Void> stop() {
    return listener == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> map.removeEntryListener(listener)).mapEmpty();
  }

}
