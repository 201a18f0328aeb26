package io.maas.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * The bench's own model repository, in a directory of its own: MiniLM twice (the same model file and
 * tokenizer, linked from conf/models) as {@code minilm_batched} (max_batch_size 32 with
 * {@code dynamic_batching}) and {@code minilm_unbatched} (max_batch_size 32, no dynamic_batching: one
 * request per execution), and a copy of the small model {@code simple}.
 */
final class BenchRepository {
  static final String BATCHED = "minilm_batched";
  static final String UNBATCHED = "minilm_unbatched";
  static final String SIMPLE = "simple";
  static final String BATCHING = """
      max_batch_size: 32
      dynamic_batching:
        max_queue_delay_microseconds: 0   # Triton's default: batch what is queued, wait for nothing more
        max_queue_size: 256
      """;
  static final String NO_BATCHING = """
      max_batch_size: 32                  # no dynamic_batching: one request per execution
      """;
  /**
   * The text section of conf/models' MiniLM, stated here rather than copied with the rest of that config,
   * which also sets batching: each bench model's batching is the bench's own.
   */
  static final String TEXT = """
      text:
        input: text
        tokenizer: tokenizer.json
        max_length: 256
        output: embedding
        pooling: mean
        normalize: true
      """;

  private BenchRepository() {}

  static Path create(Path root, Path dir) throws IOException {
    Path minilm = root.resolve("conf/models/all-minilm-l6-v2");
    Path modelFile = minilm.resolve("1/model.onnx");
    if (!Files.isRegularFile(modelFile)) {
      throw new IllegalStateException(modelFile + " is missing: the worker build unpacks it "
          + "(mvn -q -pl bench -am package -DskipTests)");
    }
    deleteTree(dir);
    minilmCopy(minilm, dir.resolve(BATCHED), BATCHING + TEXT);
    minilmCopy(minilm, dir.resolve(UNBATCHED), NO_BATCHING + TEXT);
    copyTree(root.resolve("conf/models/simple"), dir.resolve(SIMPLE));
    return dir;
  }

  static Path minilmModelFile(Path root) {
    return root.resolve("conf/models/all-minilm-l6-v2/1/model.onnx");
  }

  static Path simpleModelFile(Path root) {
    return root.resolve("conf/models/simple/1/model.onnx");
  }

  /** A model directory serving conf/models' MiniLM files (linked) with this configuration. */
  static void minilm(Path root, Path to, String config) throws IOException {
    Path minilm = root.resolve("conf/models/all-minilm-l6-v2");
    if (!Files.isRegularFile(minilm.resolve("1/model.onnx"))) {
      throw new IllegalStateException(minilm.resolve("1/model.onnx") + " is missing: the worker build unpacks it "
          + "(mvn -q -pl bench -am package -DskipTests)");
    }
    minilmCopy(minilm, to, config);
  }

  private static void minilmCopy(Path from, Path to, String config) throws IOException {
    Files.createDirectories(to.resolve("1"));
    Files.writeString(to.resolve("config.yaml"), config);
    link(from.resolve("tokenizer.json"), to.resolve("tokenizer.json"));
    link(from.resolve("1/model.onnx"), to.resolve("1/model.onnx"));
  }

  private static void link(Path target, Path link) throws IOException {
    try {
      Files.createSymbolicLink(link, target.toAbsolutePath());
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(target, link, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Copies a directory tree (a model directory). */
  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Deletes a directory tree, if there is one. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
