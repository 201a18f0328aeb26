package io.maas.gateway;

import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model repository for tests: the default repository's real models (simple, affine_fp32 and MiniLM,
 * which the build unpacks) plus models generated here, one per datatype, with known behaviour.
 */
public final class TestRepository {
  private TestRepository() {}

  /** Datatypes ONNX Runtime's Java API can feed, with their identity model names. */
  public static final List<ElemType> FEEDABLE = List.of(ElemType.BOOL, ElemType.UINT8, ElemType.INT8, ElemType.INT16,
      ElemType.INT32, ElemType.INT64, ElemType.FLOAT16, ElemType.FLOAT, ElemType.DOUBLE, ElemType.STRING);

  /** Unsigned types ORT Java can return but not take: served through Cast(INT64 -> type) models. */
  public static final List<ElemType> OUTPUT_ONLY = List.of(ElemType.UINT16, ElemType.UINT32, ElemType.UINT64);

  static Path root() {
    String root = System.getProperty("maas.root");
    if (root == null) {
      throw new IllegalStateException("system property maas.root is not set (surefire sets it)");
    }
    return Path.of(root);
  }

  public static Path minilmModel() {
    return root().resolve("conf/models/all-minilm-l6-v2/1/model.onnx");
  }

  public static Path create(Path dir) throws IOException {
    Path defaults = root().resolve("conf/models");
    for (String model : List.of("simple", "affine_fp32", "all-minilm-l6-v2")) {
      copyTree(defaults.resolve(model), dir.resolve(model));
    }
    for (ElemType t : FEEDABLE) {
      write(dir, "identity_" + t.name().toLowerCase(), 1, OnnxModelBuilder.identity("identity", t, -1, 3));
    }
    for (ElemType t : OUTPUT_ONLY) {
      write(dir, "cast_to_" + t.name().toLowerCase(), 1, OnnxModelBuilder.cast("cast", ElemType.INT64, t, -1, 3));
      // takes an unsigned input: loads, but cannot be served through ONNX Runtime's Java API
      write(dir, "identity_" + t.name().toLowerCase(), 1, OnnxModelBuilder.identity("identity", t, -1, 3));
    }
    // two versions with different behaviour, both served
    write(dir, "versioned", 1, OnnxModelBuilder.identity("v1", ElemType.INT32, -1, 2));
    write(dir, "versioned", 2, OnnxModelBuilder.create("v2")
        .input("INPUT0", ElemType.INT32, -1, 2)
        .output("OUTPUT0", ElemType.INT32, -1, 2)
        .node("Neg", List.of("INPUT0"), List.of("OUTPUT0"))
        .build());
    Files.writeString(dir.resolve("versioned/config.yaml"), "version_policy: {all: {}}\n");
    // a directory whose configuration is broken: reported UNAVAILABLE, never silently dropped
    write(dir, "broken", 1, OnnxModelBuilder.identity("broken", ElemType.FLOAT, -1, 3));
    Files.writeString(dir.resolve("broken/config.yaml"), "max_batch_size: -3\n");
    return dir;
  }

  public static void write(Path repo, String model, int version, byte[] onnx) throws IOException {
    Path file = repo.resolve(model).resolve(Integer.toString(version)).resolve("model.onnx");
    Files.createDirectories(file.getParent());
    Files.write(file, onnx);
  }

  /** Copies a directory tree (a model directory of the default repository). */
  public static void copyTree(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      throw new IllegalStateException(from + " is missing: build with `mvn package` (it unpacks MiniLM)");
    }
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
