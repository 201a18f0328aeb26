package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.model.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploaded files reach a model's directory whole and checked against their digest, and nowhere else. */
class UploadedModelFilesTest {
  private static final byte[] MODEL = "model bytes".getBytes(StandardCharsets.UTF_8);
  private static final String SHA = Sha256.hex(MODEL);

  @TempDir
  Path repo;

  @Test
  void aFileIsFetchedByItsDigestWrittenWholeAndLeftAloneWhenAlreadyThere() throws Exception {
    List<String> fetched = new ArrayList<>();
    UploadedModelFiles files = new UploadedModelFiles(sha -> {
      fetched.add(sha);
      return MODEL;
    });
    files.install(repo.resolve("m"), Map.of("1/model.onnx", SHA));
    assertArrayEquals(MODEL, Files.readAllBytes(repo.resolve("m/1/model.onnx")));
    files.install(repo.resolve("m"), Map.of("1/model.onnx", SHA));
    assertEquals(List.of(SHA), fetched, "a file already there with the same digest is not fetched again");
    try (var left = Files.list(repo.resolve("m/1"))) {
      assertEquals(List.of("model.onnx"), left.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
    }
  }

  @Test
  void bytesThatDoNotMatchTheDigestAreNeverWritten() {
    UploadedModelFiles files = new UploadedModelFiles(sha -> "tampered".getBytes(StandardCharsets.UTF_8));
    MaasException e = assertThrows(MaasException.class, () -> files.install(repo.resolve("m"), Map.of("1/model.onnx", SHA)));
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("not the " + SHA), e.getMessage());
    assertFalse(Files.exists(repo.resolve("m/1/model.onnx")));
  }

  @Test
  void aPathOutsideTheModelsDirectoryIsRefused() {
    UploadedModelFiles files = new UploadedModelFiles(sha -> MODEL);
    for (String path : List.of("../x", "/etc/passwd", "1/../../x", "a/b/c", "", "1/")) {
      MaasException e = assertThrows(MaasException.class, () -> files.install(repo.resolve("m"), Map.of(path, SHA)), path);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), path);
    }
  }

  @Test
  void aFileNoGatewayHoldsIsUnavailable() {
    UploadedModelFiles files = new UploadedModelFiles(sha -> null);
    assertEquals(ErrorCode.UNAVAILABLE, assertThrows(MaasException.class,
        () -> files.install(repo.resolve("m"), Map.of("1/model.onnx", SHA))).code());
  }
}
