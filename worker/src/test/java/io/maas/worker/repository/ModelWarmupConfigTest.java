package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.tensor.DataType;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model_warmup list: Triton's names, the text extension, and errors that name the sample and the key. */
class ModelWarmupConfigTest {
  @TempDir
  Path repo;

  private static ModelConfig parse(String json) {
    return ModelConfig.fromJson("m", new JsonObject(json));
  }

  private static String error(String warmup) {
    return assertThrows(IllegalArgumentException.class, () -> parse("{\"model_warmup\": " + warmup + "}"))
        .getMessage();
  }

  @Test
  void absentMeansNoWarmup() {
    assertEquals(List.of(), parse("{}").warmup());
    assertEquals(List.of(), ModelConfig.inferred("m").warmup());
  }

  @Test
  void tritonsFieldsAreReadFromYaml() throws Exception {
    Path dir = Files.createDirectories(repo.resolve("m"));
    Files.writeString(dir.resolve("config.yaml"), """
        max_batch_size: 8
        model_warmup:
          - name: zeros
            batch_size: 4
            count: 3
            inputs:
              INPUT0: {data_type: TYPE_INT32, dims: [16], zero_data: true}
              INPUT1: {data_type: TYPE_INT32, dims: [16], random_data: true}
          - name: from a file
            inputs:
              INPUT0: {data_type: TYPE_FP32, dims: [2, 2], input_data_file: raw_input0}
        """);
    List<ModelWarmup> w = ModelRepository.readConfig(dir, "m").warmup();
    assertEquals(2, w.size());
    assertEquals(new ModelWarmup("zeros", 4, Map.of(
        "INPUT0", new WarmupInput(DataType.INT32, List.of(16L), WarmupInput.Data.ZERO, null, List.of()),
        "INPUT1", new WarmupInput(DataType.INT32, List.of(16L), WarmupInput.Data.RANDOM, null, List.of())), 3), w.get(0));
    assertEquals(List.of("INPUT0", "INPUT1"), List.copyOf(w.get(0).inputs().keySet()), "the configuration's order");
    assertEquals(new ModelWarmup("from a file", 1, Map.of(
        "INPUT0", new WarmupInput(DataType.FP32, List.of(2L, 2L), WarmupInput.Data.FILE, "raw_input0", List.of())), 1),
        w.get(1), "batch_size and count default to 1");
  }

  @Test
  void tritonsJsonFormIsReadToo() {
    // what Triton's config.pbtxt looks like as JSON: 64-bit integers as strings, zero_data next to a false flag
    ModelWarmup w = parse("""
        {"model_warmup": [{"name": "s", "batch_size": 2, "count": 0, "inputs": {"INPUT0":
          {"data_type": "TYPE_FP32", "dims": ["4"], "zero_data": true, "random_data": false}}}]}""").warmup().get(0);
    assertEquals(new ModelWarmup("s", 2, Map.of("INPUT0",
        new WarmupInput(DataType.FP32, List.of(4L), WarmupInput.Data.ZERO, null, List.of())), 1), w,
        "count 0 runs once, as in Triton");
  }

  @Test
  void aTextInputMayGiveSampleTexts() {
    ModelWarmup w = parse("""
        {"model_warmup": [{"name": "sentences", "inputs": {"text": {"texts": ["A man is eating food.", "Hi"]}}}]}""")
        .warmup().get(0);
    assertEquals(new WarmupInput(DataType.BYTES, List.of(2L), WarmupInput.Data.TEXTS, null,
        List.of("A man is eating food.", "Hi")), w.inputs().get("text"), "BYTES, one dimension: the texts");
    assertEquals(WarmupInput.Data.TEXTS, parse("""
        {"model_warmup": [{"name": "s", "inputs": {"text":
          {"data_type": "TYPE_STRING", "dims": [1], "texts": ["x"]}}}]}""").warmup().get(0).inputs().get("text").data());
  }

  @Test
  void equalConfigurationsAreEqual() {
    String json = "{\"model_warmup\": [{\"name\": \"s\", \"inputs\": {\"I\": {\"data_type\": \"TYPE_FP32\", "
        + "\"dims\": [4], \"zero_data\": true}}}]}";
    assertEquals(parse(json), parse(json), "a version loaded again with the same warmup is not reloaded");
  }

  @Test
  void badSamplesAreRejectedNamingTheSampleAndTheKey() {
    assertEquals("model_warmup must be a list of samples, not {}", error("{}"));
    assertTrue(error("[{\"inputs\": {}}]").startsWith("model_warmup[0].name is missing"));
    assertTrue(error("[{\"name\": \"s\", \"inputs\": {\"I\": {\"data_type\": \"TYPE_FP32\", \"dims\": [1], "
        + "\"zero_data\": true}}, \"repeat\": 2}]").startsWith("model_warmup[0] 's': repeat is not a known key"));
    assertTrue(error("[{\"name\": \"s\"}]").startsWith("model_warmup[0] 's': inputs must map each input name"));
    assertTrue(error("[{\"name\": \"s\", \"batch_size\": 0, \"inputs\": {\"I\": {}}}]")
        .startsWith("model_warmup[0] 's': batch_size must be 1 or more, not 0"));
    assertTrue(error("[{\"name\": \"s\", \"count\": -1, \"inputs\": {\"I\": {}}}]")
        .startsWith("model_warmup[0] 's': count must be within 0..1000"));
    assertTrue(error("[{\"name\": \"s\", \"count\": 1.5, \"inputs\": {\"I\": {}}}]")
        .startsWith("model_warmup[0] 's': count must be a whole number"));
  }

  @Test
  void badInputsAreRejectedNamingTheInputAndTheKey() {
    String at = "model_warmup[0] 's': inputs.I";
    assertEquals(at + " needs exactly one of zero_data: true, random_data: true, input_data_file or texts",
        input("{\"data_type\": \"TYPE_FP32\", \"dims\": [4]}"));
    assertEquals(at + " needs exactly one of zero_data: true, random_data: true, input_data_file or texts; it gives 2",
        input("{\"data_type\": \"TYPE_FP32\", \"dims\": [4], \"zero_data\": true, \"random_data\": true}"));
    assertTrue(input("{\"dims\": [4], \"zero_data\": true}").startsWith(at + ".data_type is missing"));
    assertTrue(input("{\"data_type\": \"TYPE_FP32\", \"zero_data\": true}").startsWith(at + ".dims is missing"));
    assertTrue(input("{\"data_type\": \"TYPE_FLOAT\", \"dims\": [4], \"zero_data\": true}")
        .startsWith(at + ".data_type: unsupported datatype 'TYPE_FLOAT'"));
    assertTrue(input("{\"data_type\": \"TYPE_FP32\", \"dims\": [-1], \"zero_data\": true}")
        .startsWith(at + ".dims must hold sizes of 1 or more (a warmup sample has no variable dimension), not -1"));
    assertTrue(input("{\"data_type\": \"TYPE_FP32\", \"dims\": [65536, 65536], \"zero_data\": true}")
        .contains(".dims [65536, 65536] hold over"));
    assertTrue(input("{\"data_type\": \"TYPE_FP32\", \"dims\": [4], \"zero_data\": \"yes\"}")
        .startsWith(at + ".zero_data must be true or false"));
    assertTrue(input("{\"data_type\": \"TYPE_FP32\", \"dims\": [4], \"input_data_file\": \"\"}")
        .startsWith(at + ".input_data_file must name a file"));
    assertTrue(input("{\"data_type\": \"TYPE_FP32\", \"dims\": [4], \"zero_data\": true, \"shape\": [4]}")
        .startsWith(at + ".shape is not a known key"));
    assertTrue(input("{\"data_type\": \"TYPE_FP32\", \"texts\": [\"x\"]}")
        .startsWith(at + ".texts: the input's data_type must be TYPE_STRING (BYTES)"));
    assertTrue(input("{\"texts\": []}").startsWith(at + ".texts must be a non-empty list of strings"));
    assertTrue(input("{\"texts\": [\"a\", \"b\"], \"dims\": [1]}")
        .startsWith(at + ".dims must be [2] (the number of texts) or left out"));
    assertTrue(input("[]").startsWith(at + " must be a mapping"));
  }

  @Test
  void aRepositoryModelWithABadWarmupIsListedWithTheReason() throws Exception {
    Path dir = Files.createDirectories(repo.resolve("m").resolve("1"));
    Files.write(dir.resolve("model.onnx"), new byte[] {1});
    Files.writeString(repo.resolve("m").resolve("config.yaml"), """
        model_warmup:
          - name: s
            inputs: {I: {data_type: TYPE_FP32, dims: [4]}}
        """);
    ModelDefinition d = new ModelRepository(repo).scan().get(0);
    assertTrue(d.error().startsWith("invalid configuration: model_warmup[0] 's': inputs.I needs exactly one of"),
        d.error());
  }

  @Test
  void dataFilesAreReadFromTheModelDirectoryInEitherLayout() {
    ModelConfig c = ModelConfig.inferred("m");
    Path m = repo.resolve("m").toAbsolutePath();
    assertEquals(m, new ModelDefinition("m", c, Map.of(3L, m.resolve("3/model.onnx")), "").directory(3));
    assertEquals(m, new ModelDefinition("m", c, Map.of(1L, m.resolve("model.onnx")), "").directory(1),
        "a base path holding its model file (version 1)");
  }

  private static String input(String spec) {
    return error("[{\"name\": \"s\", \"inputs\": {\"I\": " + spec + "}}]");
  }
}
