package io.maas.worker.repository;

import io.maas.error.MaasException;
import io.maas.model.ModelFilePath;
import io.maas.model.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.Function;

/**
 * Puts files uploaded through the repository API into a model's directory: each fetched by its SHA-256 from
 * where the gateways keep uploads, checked against that digest, and written whole (a temporary file moved into
 * place), so a model is never read half written; a file already there with the same digest is left alone.
 */
public final class UploadedModelFiles {
  private final Function<String, byte[]> fetch;

  /** @param fetch a file's bytes by its SHA-256 (hex); null when no gateway holds it */
  public UploadedModelFiles(Function<String, byte[]> fetch) {
    this.fetch = fetch;
  }

  /**
   * Blocking.
   *
   * @param files SHA-256 (hex) by path in the model's directory
   * @throws MaasException INVALID_ARGUMENT for a bad path, UNAVAILABLE for a file missing or not matching its digest
   */
  public void install(Path modelDir, Map<String, String> files) throws IOException {
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path target = modelDir.resolve(ModelFilePath.check(f.getKey())).normalize();
      if (!target.startsWith(modelDir.normalize())) {
        throw MaasException.invalid("'file:%s' is outside the model's directory", f.getKey());
      }
      if (Files.isRegularFile(target) && Sha256.hex(Files.readAllBytes(target)).equals(f.getValue())) {
        continue;
      }
      byte[] bytes = fetch.apply(f.getValue());
      if (bytes == null) {
        throw MaasException.unavailable("uploaded file %s (SHA-256 %s) is held by no gateway", f.getKey(), f.getValue());
      }
      String actual = Sha256.hex(bytes);
      if (!actual.equals(f.getValue())) {
        throw MaasException.unavailable("uploaded file %s has SHA-256 %s, not the %s the gateway computed: not written",
            f.getKey(), actual, f.getValue());
      }
      Files.createDirectories(target.getParent());
      // a temporary file of its own: two slots (or a change and its echo from the cluster) may write the same file
      // at once, each moving identical bytes into place
      Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".upload");
      try {
        Files.write(temp, bytes);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }

}
