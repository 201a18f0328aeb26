package io.maas.worker.lifecycle;

import io.maas.worker.repository.ModelConfig;
import io.maas.worker.repository.ModelDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a model version was loaded from: its configuration and its model file (path, size, modification
 * time). Loading a version again with an equal fingerprint changes nothing; a different one reloads it.
 */
record Fingerprint(ModelConfig config, Path file, long size, long modifiedMillis) {
  static Fingerprint of(ModelDefinition definition, long version) {
    Path file = definition.versions().get(version);
    try {
      return new Fingerprint(definition.config(), file, Files.size(file), Files.getLastModifiedTime(file).toMillis());
    } catch (IOException e) {
      return new Fingerprint(definition.config(), file, -1, -1);
    }
  }
}
