package io.maas.worker.repository;

import io.maas.config.ModelBasePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Models named with their own base paths, TF Serving's layout:
 * <pre>
 *   &lt;base_path&gt;/&lt;version&gt;/model.onnx     (numeric version directories; the policy picks which to serve)
 *   &lt;base_path&gt;/model.onnx               (no version directory: version 1)
 *   &lt;base_path&gt;/config.yaml              (optional, as in a Triton model directory)
 * </pre>
 * Unlike a repository scan, which reports a broken model as UNAVAILABLE and serves the others, a base path
 * that cannot be served fails the start, as it does for {@code tensorflow_model_server}: a missing
 * directory, a TensorFlow SavedModel (with the tf2onnx command that converts it), no model file.
 */
public final class BasePathModels {
  static final String SAVED_MODEL = "saved_model.pb";

  private BasePathModels() {}

  /** @throws IllegalArgumentException naming the model and its base path when one cannot be served */
  public static List<ModelDefinition> read(List<ModelBasePath> models) {
    return models.stream().map(BasePathModels::read).toList();
  }

  static ModelDefinition read(ModelBasePath model) {
    Path base = model.basePath().toAbsolutePath().normalize();
    String name = model.name();
    if (!Files.isDirectory(base)) {
      throw new IllegalArgumentException("model '" + name + "': base path " + base
          + (Files.exists(base) ? " is not a directory" : " does not exist"));
    }
    ModelConfig config;
    try {
      config = ModelRepository.readConfig(base, name);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("model '" + name + "' in " + base + ": invalid configuration: " + e.getMessage());
    }
    VersionPolicy policy = model.versionPolicy().isEmpty() ? null : VersionPolicy.fromJson(model.versionPolicy());
    ModelDefinition versioned = ModelRepository.read(name, base, policy);
    if (!versioned.versions().isEmpty()) {
      return versioned;
    }
    String file = config.modelFilename();
    Path flat = base.resolve(file);
    if (Files.isRegularFile(flat) && !hasVersionDirectories(base)) {
      return new ModelDefinition(name, config, Map.of(1L, flat), "");
    }
    throw savedModelIn(base).<IllegalArgumentException>map(dir -> notOnnx(name, base, dir))
        .orElseGet(() -> new IllegalArgumentException("model '" + name + "': base path " + base + " holds no "
            + file + " to serve: TF Serving's layout is <base_path>/<version>/" + file + " (e.g. "
            + base.resolve("1").resolve(file) + "), or " + file + " directly in the base path for version 1"
            + (hasVersionDirectories(base) ? " (or the version policy selects no version present)" : "")));
  }

  private static IllegalArgumentException notOnnx(String name, Path base, Path savedModel) {
    Path output = savedModel.equals(base) ? base.resolve("1").resolve("model.onnx") : savedModel.resolve("model.onnx");
    return new IllegalArgumentException("model '" + name + "': " + savedModel + " is a TensorFlow SavedModel ("
        + SAVED_MODEL + "); maas serves ONNX models. Convert it with tf2onnx (pip install tf2onnx):\n"
        + "  python -m tf2onnx.convert --saved-model " + savedModel + " --output " + output);
  }

  /** The base path or the newest version directory holding a SavedModel, if any. */
  private static Optional<Path> savedModelIn(Path base) {
    if (Files.isRegularFile(base.resolve(SAVED_MODEL))) {
      return Optional.of(base);
    }
    return versionDirectories(base).filter(v -> Files.isRegularFile(v.resolve(SAVED_MODEL)))
        .reduce((older, newer) -> newer);
  }

  private static boolean hasVersionDirectories(Path base) {
    return versionDirectories(base).findAny().isPresent();
  }

  private static Stream<Path> versionDirectories(Path base) {
    try (Stream<Path> s = Files.list(base)) {
      return s.filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().matches("\\d{1,18}"))
          .sorted((a, b) -> Long.compare(version(a), version(b)))
          .toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long version(Path dir) {
    return Long.parseLong(dir.getFileName().toString());
  }
}
