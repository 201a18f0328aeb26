package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.ModelBasePath;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TF Serving's base-path layout: numeric versions, or a model file directly (version 1); refusals name the cause. */
class BasePathModelsTest {
  private static final byte[] MODEL = OnnxModelBuilder.identity("m", ElemType.FLOAT, -1, 4);

  @TempDir
  Path base;

  private Path write(String relative) throws IOException {
    Path f = base.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.write(f, MODEL);
    return f;
  }

  private static ModelDefinition read(String name, Path basePath) {
    return BasePathModels.read(List.of(new ModelBasePath(name, basePath))).get(0);
  }

  @Test
  void numericVersionDirectoriesServeTheLatestUnderTheGivenName() throws IOException {
    write("1/model.onnx");
    Path two = write("2/model.onnx");
    ModelDefinition m = read("my_model", base);
    assertEquals("my_model", m.name());
    assertEquals(List.of(2L), m.versionNumbers());
    assertEquals(two, m.versions().get(2L));
    assertEquals("", m.error());
  }

  @Test
  void aModelFileDirectlyInTheBasePathIsVersionOne() throws IOException {
    Path file = write("model.onnx");
    ModelDefinition m = read("flat", base);
    assertEquals(List.of(1L), m.versionNumbers());
    assertEquals(file, m.versions().get(1L));
  }

  @Test
  void aVersionPolicyFromTheModelConfigListPicksVersions() throws IOException {
    write("1/model.onnx");
    write("2/model.onnx");
    write("3/model.onnx");
    ModelBasePath specific = new ModelBasePath("m", base,
        new JsonObject().put("specific", new JsonObject().put("versions", List.of(1, 3))));
    assertEquals(List.of(1L, 3L), BasePathModels.read(List.of(specific)).get(0).versionNumbers());
    ModelBasePath all = new ModelBasePath("m", base, new JsonObject().put("all", new JsonObject()));
    assertEquals(List.of(1L, 2L, 3L), BasePathModels.read(List.of(all)).get(0).versionNumbers());
  }

  @Test
  void aMissingBasePathIsRefusedWithItsPath() {
    Path missing = base.resolve("nope");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("my_model", missing));
    assertEquals("model 'my_model': base path " + missing.toAbsolutePath() + " does not exist", e.getMessage());
  }

  @Test
  void aFileAsBasePathIsRefused() throws IOException {
    Path file = write("model.onnx");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("m", file));
    assertTrue(e.getMessage().endsWith(file + " is not a directory"), e.getMessage());
  }

  @Test
  void aSavedModelIsRefusedWithTheTf2onnxCommand() throws IOException {
    Files.createDirectories(base.resolve("1/variables"));
    Files.writeString(base.resolve("1/saved_model.pb"), "not onnx");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("my_model", base));
    Path v1 = base.resolve("1");
    assertTrue(e.getMessage().startsWith("model 'my_model': " + v1 + " is a TensorFlow SavedModel"), e.getMessage());
    assertTrue(e.getMessage().contains("python -m tf2onnx.convert --saved-model " + v1 + " --output "
        + v1.resolve("model.onnx")), e.getMessage());
  }

  @Test
  void aSavedModelDirectlyInTheBasePathConvertsIntoVersionOne() throws IOException {
    Files.writeString(base.resolve("saved_model.pb"), "not onnx");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("m", base));
    assertTrue(e.getMessage().contains("python -m tf2onnx.convert --saved-model " + base + " --output "
        + base.resolve("1").resolve("model.onnx")), e.getMessage());
  }

  @Test
  void aBasePathWithoutModelFileSaysWhatTheLayoutIs() throws IOException {
    Files.createDirectories(base.resolve("1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("m", base));
    assertTrue(e.getMessage().contains("holds no model.onnx to serve: TF Serving's layout is <base_path>/<version>/model.onnx"),
        e.getMessage());
  }

  @Test
  void anInvalidConfigFileInTheBasePathIsRefused() throws IOException {
    write("1/model.onnx");
    Files.writeString(base.resolve("config.yaml"), "max_batch_size: -3\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("m", base));
    assertTrue(e.getMessage().contains("invalid configuration: max_batch_size must be 0 or more"), e.getMessage());
  }
}
