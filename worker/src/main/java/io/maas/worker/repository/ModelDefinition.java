package io.maas.worker.repository;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One model directory of the repository: its configuration and the versions to serve.
 *
 * @param name the model name
 * @param config its configuration (inferred when the directory has no config file)
 * @param versions the version numbers selected by the version policy, each with its model file
 * @param error why the directory cannot be served ("" if it can): a broken config file, no versions
 */
public record ModelDefinition(String name, ModelConfig config, Map<Long, Path> versions, String error) {

  public ModelDefinition {
    versions = Map.copyOf(versions);
  }

  /**
   * The model's directory, found from a version's model file: {@code <model>/<version>/<file>}, or a base path
   * holding its model file itself (version 1, {@link BasePathModels}).
   */
  public Path directory(long version) {
    Path file = versions.get(version);
    if (file == null) {
      throw new IllegalArgumentException("model '" + name + "' has no version " + version);
    }
    Path parent = file.toAbsolutePath().getParent();
    return parent.getFileName().toString().equals(Long.toString(version)) ? parent.getParent() : parent;
  }

  public List<Long> versionNumbers() {
    return versions.keySet().stream().sorted().toList();
  }
}
