package io.maas.worker.repository;

import io.maas.model.ModelNames;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A model repository on disk, in Triton's layout:
 * <pre>
 *   &lt;repository&gt;/&lt;model&gt;/config.yaml        (optional; or config.json)
 *   &lt;repository&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx
 * </pre>
 * Every numeric subdirectory of a model is a version; the version policy picks which to serve.
 */
public final class ModelRepository implements ModelSource {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);

  private final Path root;

  public ModelRepository(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /**
   * Reads the repository. A model directory that cannot be served is still listed, with its error, so
   * that it can be reported as UNAVAILABLE rather than silently missing.
   *
   * @throws IllegalStateException if the repository directory does not exist
   */
  @Override
  public List<ModelDefinition> scan() {
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("model repository " + root.toAbsolutePath() + " is not a directory");
    }
    List<ModelDefinition> models = new ArrayList<>();
    for (Path dir : list(root)) {
      if (Files.isDirectory(dir) && !dir.getFileName().toString().startsWith(".")) {
        models.add(read(dir));
      }
    }
    return models;
  }

  ModelDefinition read(Path dir) {
    return read(dir.getFileName().toString(), dir, null);
  }

  @Override
  public Path directoryOf(String name) {
    return root.resolve(ModelNames.check(name));
  }

  @Override
  public Optional<ModelDefinition> find(String name, JsonObject configOverride) {
    ModelNames.check(name);
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    if (configOverride == null) {
      return Optional.of(read(dir));
    }
    ModelConfig config;
    try {
      config = ModelConfig.fromJson(name, configOverride);
    } catch (RuntimeException e) {
      return Optional.of(new ModelDefinition(name, ModelConfig.inferred(name), Map.of(),
          "invalid configuration: " + e.getMessage()));
    }
    return Optional.of(versions(name, dir, config));
  }

  /**
   * Reads one model directory (its optional config file and its numeric version directories).
   *
   * @param policy the versions to serve, over the config file's; null: the config file's
   */
  static ModelDefinition read(String name, Path dir, VersionPolicy policy) {
    ModelConfig config;
    try {
      config = readConfig(dir, name);
      config = policy == null ? config : config.withVersionPolicy(policy);
    } catch (RuntimeException e) {
      LOG.warn("model '{}': invalid configuration: {}", name, e.getMessage());
      return new ModelDefinition(name, ModelConfig.inferred(name), Map.of(), "invalid configuration: " + e.getMessage());
    }
    return versions(name, dir, config);
  }

  /** The model's version directories holding its model file, as its version policy selects them. */
  static ModelDefinition versions(String name, Path dir, ModelConfig config) {
    Map<Long, Path> found = new TreeMap<>();
    for (Path v : list(dir)) {
      String vname = v.getFileName().toString();
      if (Files.isDirectory(v) && vname.matches("\\d{1,18}")) {
        Path file = v.resolve(config.modelFilename());
        if (Files.isRegularFile(file)) {
          found.put(Long.parseLong(vname), file);
        } else {
          LOG.warn("model '{}' version {}: no {} in {}", name, vname, config.modelFilename(), v);
        }
      }
    }
    Map<Long, Path> selected = new TreeMap<>();
    config.versionPolicy().select(List.copyOf(found.keySet())).forEach(n -> selected.put(n, found.get(n)));
    String error = selected.isEmpty() ? "no version directory holds a " + config.modelFilename() : "";
    return new ModelDefinition(name, config, selected, error);
  }

  static ModelConfig readConfig(Path dir, String name) {
    Path yaml = dir.resolve("config.yaml");
    Path yml = dir.resolve("config.yml");
    Path json = dir.resolve("config.json");
    try {
      if (Files.isRegularFile(yaml) || Files.isRegularFile(yml)) {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions()))
            .load(Files.readString(Files.isRegularFile(yaml) ? yaml : yml));
        if (doc != null && !(doc instanceof Map)) {
          throw new IllegalArgumentException("the config file is not a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = doc == null ? Map.of() : (Map<String, Object>) doc;
        return ModelConfig.fromJson(name, new JsonObject(map));
      }
      if (Files.isRegularFile(json)) {
        return ModelConfig.fromJson(name, new JsonObject(Files.readString(json)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("a value has the wrong type: " + e.getMessage());
    }
    return ModelConfig.inferred(name);
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
