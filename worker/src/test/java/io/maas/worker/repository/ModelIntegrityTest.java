package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.model.Sha256;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model version's SHA-256, from its configuration or its sidecar file: parsed strictly, checked against the
 * bytes read, and every refusal says which file, which digests and where each came from.
 */
class ModelIntegrityTest {
  private static final byte[] MODEL = OnnxModelBuilder.identity("m", ElemType.FLOAT, -1, 4);
  private static final String SHA = Sha256.hex(MODEL);
  private static final String OTHER = "ab".repeat(32);

  @TempDir
  Path repo;

  @Test
  void theConfigurationMapsVersionsToDigestsYamlNumbersAndUpperCaseIncluded() throws Exception {
    config("sha256: {1: \"" + SHA.toUpperCase() + "\", \"2\": \"" + OTHER + "\"}\n");
    ModelConfig c = ModelRepository.readConfig(repo.resolve("m"), "m");
    assertEquals(Map.of(1L, SHA, 2L, OTHER), c.sha256(), "lower case, by version");
    assertEquals(Map.of(), ModelConfig.inferred("m").sha256(), "none stated");
  }

  @Test
  void aMalformedDigestInTheConfigurationIsRefusedAtParseNamingTheKey() throws Exception {
    assertEquals("invalid configuration: sha256 of version 1: 'abc' is not a SHA-256 digest (64 hex digits)",
        invalid("sha256: {\"1\": \"abc\"}\n"));
    assertEquals("invalid configuration: sha256 of version 2: '" + "g".repeat(64) + "' is not a SHA-256 digest "
        + "(64 hex digits)", invalid("sha256: {\"2\": \"" + "g".repeat(64) + "\"}\n"));
    assertEquals("invalid configuration: sha256: 'latest' is not a version number",
        invalid("sha256: {latest: \"" + SHA + "\"}\n"));
    assertTrue(invalid("sha256: \"" + SHA + "\"\n").startsWith("invalid configuration: sha256 must map versions"));
  }

  @Test
  void noDigestStatedReadsNothing() throws Exception {
    write(MODEL);
    assertEquals(Optional.empty(), ModelIntegrity.read(definition(), 1));
  }

  @Test
  void aMatchingDigestGivesTheBytesThatWereHashed() throws Exception {
    write(MODEL);
    config("sha256: {\"1\": \"" + SHA + "\"}\n");
    ModelIntegrity.Verified v = ModelIntegrity.read(definition(), 1).orElseThrow();
    assertArrayEquals(MODEL, v.bytes());
    assertEquals(SHA, v.sha256());
  }

  @Test
  void aSidecarHoldsTheDigestAloneOrAsSha256sumWritesIt() throws Exception {
    write(MODEL);
    for (String sidecar : new String[] {SHA, SHA + "\n", SHA.toUpperCase() + "  model.onnx\n", SHA + " *model.onnx",
        SHA + "  repo/m/1/model.onnx\n"}) {
      Files.writeString(sidecar(), sidecar);
      assertEquals(SHA, ModelIntegrity.read(definition(), 1).orElseThrow().sha256(), sidecar);
    }
  }

  @Test
  void aMismatchSaysTheFileTheActualAndExpectedDigestsAndWhereTheExpectedOneCameFrom() throws Exception {
    write(MODEL);
    config("sha256: {\"1\": \"" + OTHER + "\"}\n");
    assertEquals("SHA-256 mismatch: 1/model.onnx is " + SHA + ", expected " + OTHER
        + " (the configuration's sha256 of version 1): not loaded", rejected());

    config("{}\n");
    Files.writeString(sidecar(), OTHER + "  model.onnx\n");
    assertEquals("SHA-256 mismatch: 1/model.onnx is " + SHA + ", expected " + OTHER + " (1/model.onnx.sha256): not loaded",
        rejected());
  }

  @Test
  void aConfigurationAndASidecarThatDisagreeAreRefusedNamingBoth() throws Exception {
    write(MODEL);
    config("sha256: {\"1\": \"" + SHA + "\"}\n");
    Files.writeString(sidecar(), OTHER);
    assertEquals("SHA-256 sources disagree for 1/model.onnx: the configuration's sha256 of version 1 is " + SHA
        + ", 1/model.onnx.sha256 is " + OTHER + ": not loaded", rejected());

    Files.writeString(sidecar(), SHA.toUpperCase() + "  model.onnx\n");
    assertEquals(SHA, ModelIntegrity.read(definition(), 1).orElseThrow().sha256(), "agreeing sources");
  }

  @Test
  void aSidecarWithoutADigestIsRefusedNamingIt() throws Exception {
    write(MODEL);
    for (String sidecar : new String[] {"", "abc  model.onnx", SHA + "0", SHA + "  model.onnx\n" + SHA + "  other.onnx"}) {
      Files.writeString(sidecar(), sidecar);
      assertEquals("1/model.onnx.sha256 holds no SHA-256 digest (64 hex digits, alone or followed by the file's name, "
          + "as sha256sum writes it): 1/model.onnx not loaded", rejected(), sidecar);
    }
    Files.writeString(sidecar(), SHA + "  other.onnx\n");
    assertEquals("1/model.onnx.sha256 is the digest of 'other.onnx', not of model.onnx: 1/model.onnx not loaded",
        rejected());
    Files.write(sidecar(), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    assertTrue(rejected().startsWith("1/model.onnx.sha256 holds no SHA-256 digest"), "not text");
  }

  private void write(byte[] model) throws Exception {
    Path file = repo.resolve("m/1/model.onnx");
    Files.createDirectories(file.getParent());
    Files.write(file, model);
  }

  private Path sidecar() {
    return repo.resolve("m/1/model.onnx.sha256");
  }

  private void config(String yaml) throws Exception {
    Files.createDirectories(repo.resolve("m"));
    Files.writeString(repo.resolve("m/config.yaml"), yaml);
  }

  private ModelDefinition definition() {
    ModelDefinition d = new ModelRepository(repo).scan().get(0);
    assertEquals("", d.error());
    return d;
  }

  private String invalid(String yaml) throws Exception {
    config(yaml);
    write(MODEL);
    return new ModelRepository(repo).scan().get(0).error();
  }

  private String rejected() {
    return assertThrows(ModelIntegrity.Rejected.class, () -> ModelIntegrity.read(definition(), 1)).getMessage();
  }
}
