package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.SessionConfig;
import io.maas.config.SlotConfig;
import io.maas.model.TensorSpec;
import io.maas.tensor.DataType;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {

  private static final byte[] MODEL = OnnxModelBuilder.identity("m", ElemType.FLOAT, -1, 4);
  private static final SessionConfig SESSION = new SessionConfig(1, 1, "all");
  private static final SlotConfig CPU = new SlotConfig("cpu", List.of(), SESSION);
  private static final SlotConfig CUDA0 = new SlotConfig("cuda:0", List.of("cuda"), SESSION);
  private static final SlotConfig CUDA1 = new SlotConfig("cuda:1", List.of("cuda"), SESSION);

  @TempDir
  Path repo;

  private Path version(String model, String version) throws IOException {
    return version(model, version, "model.onnx");
  }

  private Path version(String model, String version, String file) throws IOException {
    Path f = repo.resolve(model).resolve(version).resolve(file);
    Files.createDirectories(f.getParent());
    Files.write(f, MODEL);
    return f;
  }

  private void config(String model, String file, String text) throws IOException {
    Files.createDirectories(repo.resolve(model));
    Files.writeString(repo.resolve(model).resolve(file), text);
  }

  private Map<String, ModelDefinition> scan() {
    return new ModelRepository(repo).scan().stream()
        .collect(Collectors.toMap(ModelDefinition::name, Function.identity()));
  }

  private ModelDefinition only() {
    List<ModelDefinition> all = new ModelRepository(repo).scan();
    assertEquals(1, all.size(), all.toString());
    return all.get(0);
  }

  private void versions1210(String model) throws IOException {
    version(model, "1");
    version(model, "2");
    version(model, "10");
  }

  @Test
  void defaultPolicyPicksTheHighestNumericVersion() throws IOException {
    versions1210("m");
    version("m", "latest");
    version("m", "v3");
    version("m", "1234567890123456789"); // 19 digits: not a version
    Path ten = repo.resolve("m/10/model.onnx");

    ModelDefinition m = only();

    assertEquals("", m.error());
    assertEquals(List.of(10L), m.versionNumbers());
    assertEquals(ten, m.versions().get(10L));
    assertEquals(ModelConfig.inferred("m"), m.config());
  }

  @Test
  void allPolicyPicksEveryVersion() throws IOException {
    versions1210("m");
    config("m", "config.yaml", "version_policy: {all: {}}\n");
    assertEquals(List.of(1L, 2L, 10L), only().versionNumbers());
  }

  @Test
  void specificPolicyPicksTheListedVersionsThatExist() throws IOException {
    versions1210("m");
    config("m", "config.yaml", "version_policy:\n  specific:\n    versions: [1, 10, 99]\n");
    assertEquals(List.of(1L, 10L), only().versionNumbers());
  }

  @Test
  void latestPolicyPicksTheNewestN() throws IOException {
    versions1210("m");
    config("m", "config.yaml", "version_policy:\n  latest:\n    num_versions: 2\n");
    assertEquals(List.of(2L, 10L), only().versionNumbers());
  }

  @Test
  void tritonStyleYamlConfigIsParsed() throws IOException {
    version("tri", "1");
    config("tri", "config.yaml", String.join("\n",
        "name: tri",
        "platform: onnxruntime_onnx",
        "max_batch_size: 8",
        "input:",
        "  - name: INPUT0",
        "    data_type: TYPE_INT32",
        "    dims: [16]",
        "  - name: TEXT",
        "    data_type: TYPE_STRING",
        "    dims: [-1, 2]",
        "output:",
        "  - name: OUTPUT0",
        "    data_type: TYPE_FP32",
        "    dims: [ 4 ]",
        ""));

    ModelDefinition m = only();

    assertEquals("", m.error());
    ModelConfig c = m.config();
    assertEquals(8, c.maxBatchSize());
    assertEquals(List.of(
        new TensorSpec("INPUT0", DataType.INT32, new long[] {16}),
        new TensorSpec("TEXT", DataType.BYTES, new long[] {-1, 2})), c.inputs());
    assertEquals(List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {4})), c.outputs());
  }

  @Test
  void jsonConfigIsParsed() throws IOException {
    version("j", "1");
    config("j", "config.json",
        "{\"max_batch_size\": 0, \"inputs\": [{\"name\": \"X\", \"datatype\": \"FP16\", \"shape\": [2, 3]}],"
            + " \"instance_count\": 3}");

    ModelConfig c = only().config();

    assertEquals(0, c.maxBatchSize());
    assertEquals(List.of(new TensorSpec("X", DataType.FP16, new long[] {2, 3})), c.inputs());
    assertEquals(List.of(), c.outputs());
    assertEquals(new InstancePlacement(3, "KIND_AUTO", List.of()), c.placement());
  }

  @Test
  void configWithoutMaxBatchSizeLeavesItToBeInferred() throws IOException {
    version("m", "1");
    config("m", "config.yaml", "instance_count: 1\n");
    assertNull(only().config().maxBatchSize());
  }

  @Test
  void nameDifferingFromDirectoryIsAnError() throws IOException {
    version("dir_name", "1");
    config("dir_name", "config.yaml", "name: other_name\n");

    ModelDefinition m = only();

    assertTrue(m.error().contains("'other_name'"), m.error());
    assertTrue(m.error().contains("'dir_name'"), m.error());
    assertTrue(m.versions().isEmpty());
  }

  @Test
  void invalidYamlIsAnErrorNotAnException() throws IOException {
    version("bad", "1");
    config("bad", "config.yaml", "max_batch_size: [1, 2\ninput: {\n");
    version("good", "1");

    Map<String, ModelDefinition> models = scan();

    assertTrue(models.get("bad").error().startsWith("invalid configuration"), models.get("bad").error());
    assertEquals("", models.get("good").error());
    assertEquals(List.of(1L), models.get("good").versionNumbers());
  }

  @Test
  void nonMappingYamlIsAnError() throws IOException {
    version("list", "1");
    config("list", "config.yaml", "- a\n- b\n");
    assertTrue(only().error().contains("not a mapping"), only().error());
  }

  @Test
  void invalidJsonIsAnError() throws IOException {
    version("j", "1");
    config("j", "config.json", "{\"max_batch_size\": ");
    assertTrue(only().error().startsWith("invalid configuration"), only().error());
  }

  @Test
  void wrongValueTypeIsAnError() throws IOException {
    version("t", "1");
    config("t", "config.yaml", "max_batch_size: lots\n");
    assertTrue(only().error().startsWith("invalid configuration"), only().error());
  }

  @Test
  void unknownDatatypeInConfigIsAnErrorNamingTheTensor() throws IOException {
    version("t", "1");
    config("t", "config.yaml", "input:\n  - {name: IN, data_type: TYPE_COMPLEX, dims: [1]}\n");
    String error = only().error();
    assertTrue(error.contains("'IN'"), error);
    assertTrue(error.contains("TYPE_COMPLEX"), error);
  }

  @Test
  void versionWithoutModelFileIsSkipped() throws IOException {
    version("m", "1");
    Files.createDirectories(repo.resolve("m/5"));
    Files.writeString(repo.resolve("m/5/readme.txt"), "no model here");
    config("m", "config.yaml", "version_policy: {all: {}}\n");

    ModelDefinition m = only();

    assertEquals("", m.error());
    assertEquals(List.of(1L), m.versionNumbers());
  }

  @Test
  void modelWithNoVersionsIsAnError() throws IOException {
    Files.createDirectories(repo.resolve("empty/notes"));

    ModelDefinition m = only();

    assertEquals("empty", m.name());
    assertTrue(m.versions().isEmpty());
    assertTrue(m.error().contains("model.onnx"), m.error());
  }

  @Test
  void defaultModelFilenameIsUsed() throws IOException {
    version("m", "1", "net.onnx");
    version("m", "2", "model.onnx");
    config("m", "config.yaml", "default_model_filename: net.onnx\nversion_policy: {all: {}}\n");

    ModelDefinition m = only();

    assertEquals(List.of(1L), m.versionNumbers());
    assertEquals(repo.resolve("m/1/net.onnx"), m.versions().get(1L));
  }

  @Test
  void hiddenDirectoriesAndFilesAtTheRootAreIgnored() throws IOException {
    version(".hidden", "1");
    Files.writeString(repo.resolve("README.md"), "not a model");
    version("m", "1");
    assertEquals(List.of("m"), new ModelRepository(repo).scan().stream().map(ModelDefinition::name).toList());
  }

  @Test
  void instanceGroupIsParsed() throws IOException {
    version("g", "1");
    config("g", "config.yaml", "instance_group:\n  - count: 2\n    kind: KIND_GPU\n    gpus: [1]\n");

    InstancePlacement p = only().config().placement();

    assertEquals(2, p.count());
    assertEquals("KIND_GPU", p.kind());
    assertEquals(List.of(1), p.gpus());
  }

  @Test
  void moreThanOneInstanceGroupIsAnError() throws IOException {
    version("g", "1");
    config("g", "config.yaml", "instance_group:\n  - {count: 1}\n  - {count: 2}\n");
    assertTrue(only().error().contains("instance_group"), only().error());
  }

  @Test
  void placementAcceptsSlotsByKind() {
    InstancePlacement cpu = new InstancePlacement(1, "kind_cpu", List.of());
    assertTrue(cpu.accepts(CPU));
    assertFalse(cpu.accepts(CUDA0));

    InstancePlacement anyGpu = new InstancePlacement(1, "KIND_GPU", List.of());
    assertFalse(anyGpu.accepts(CPU));
    assertTrue(anyGpu.accepts(CUDA0));
    assertTrue(anyGpu.accepts(CUDA1));

    InstancePlacement gpu1 = new InstancePlacement(1, "KIND_GPU", List.of(1));
    assertFalse(gpu1.accepts(CUDA0));
    assertTrue(gpu1.accepts(CUDA1));
    assertFalse(gpu1.accepts(CPU));

    assertTrue(InstancePlacement.DEFAULT.accepts(CPU));
    assertTrue(InstancePlacement.DEFAULT.accepts(CUDA0));
  }

  @Test
  void badPlacementValuesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new InstancePlacement(0, "KIND_CPU", List.of()));
    assertThrows(IllegalArgumentException.class, () -> new InstancePlacement(1, "KIND_TPU", List.of()));
  }

  @Test
  void missingRepositoryIsAnIllegalStateException() {
    Path missing = repo.resolve("does-not-exist");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ModelRepository(missing).scan());
    assertTrue(e.getMessage().contains("does-not-exist"), e.getMessage());
  }
}
