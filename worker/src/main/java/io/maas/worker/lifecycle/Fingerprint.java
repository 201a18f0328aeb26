package io.maas.worker.lifecycle;

import io.maas.worker.repository.ModelConfig;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelIntegrity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a model version was loaded from: its configuration, its model file (path, size, modification time) and the
 * file's SHA-256 sidecar, if any (size, modification time). Loading a version again with an equal fingerprint
 * changes nothing; a different one reloads it.
 */
record Fingerprint(ModelConfig config, Path file, Stamp model, Stamp sidecar) {
  /** A file's size and modification time; -1, -1 where it is missing or cannot be read. */
  record Stamp(long size, long modifiedMillis) {
    static Stamp of(Path file) {
      try {
        return new Stamp(Files.size(file), Files.getLastModifiedTime(file).toMillis());
      } catch (IOException e) {
        return new Stamp(-1, -1);
      }
    }
  }

  static Fingerprint of(ModelDefinition definition, long version) {
    Path file = definition.versions().get(version);
    return new Fingerprint(definition.config(), file, Stamp.of(file), Stamp.of(ModelIntegrity.sidecarOf(file)));
  }
}
