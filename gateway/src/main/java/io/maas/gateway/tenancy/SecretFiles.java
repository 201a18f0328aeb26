package io.maas.gateway.tenancy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** Secrets handed to the operator through files readable by the owner only (0600), never through logs. */
final class SecretFiles {
  private SecretFiles() {}

  static void write(Path file, String secret) throws IOException {
    Files.createDirectories(file.getParent());
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file); // not a POSIX file system
    } catch (FileAlreadyExistsException e) {
      throw new IOException("cannot create " + file + ": it appeared meanwhile", e);
    }
    Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
  }

  static Optional<String> read(Path file) throws IOException {
    return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
  }
}
