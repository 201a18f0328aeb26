package io.maas.config.tfserving;

import io.maas.tls.PemFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * TF Serving's {@code --ssl_config_file}: an {@code SSLConfig} in text format ({@code server_key},
 * {@code server_cert}, {@code custom_ca}, {@code client_verify}, the PEM texts inline), as {@code gateway.tls}
 * settings. The PEM texts are written to files of their own, readable by this user only, in a directory made for
 * them, since maas's TLS settings name files. One certificate serves every port, REST's too: TF Serving serves its
 * REST port in plaintext, maas does not (docs/tfserving-dropin.md).
 */
final class SslConfigFile {
  private SslConfigFile() {}

  /**
   * @return the {@code gateway.tls} section
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  static JsonObject read(Path file) {
    String source = "--ssl_config_file " + file;
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " cannot be read: " + PemFiles.why(e));
    }
    Map<String, List<Object>> config = TextFormat.parse(text, source);
    for (String field : config.keySet()) {
      if (!List.of("server_key", "server_cert", "custom_ca", "client_verify").contains(field)) {
        throw new IllegalArgumentException(source + ": " + field + " is not a field of TF Serving's SSLConfig");
      }
    }
    String key = string(config, "server_key", source);
    String cert = string(config, "server_cert", source);
    String ca = string(config, "custom_ca", source);
    boolean verify = "true".equals(string(config, "client_verify", source));
    if (key.isEmpty() || cert.isEmpty()) {
      throw new IllegalArgumentException(source + " needs server_key and server_cert (PEM texts)");
    }
    if (verify && ca.isEmpty()) {
      throw new IllegalArgumentException(source + ": client_verify needs custom_ca, the CA client certificates"
          + " chain to");
    }
    Path dir = privateDirectory();
    JsonObject tls = new JsonObject()
        .put("cert_file", write(dir.resolve("server.pem"), cert).toString())
        .put("key_file", write(dir.resolve("server-key.pem"), key).toString());
    if (!ca.isEmpty()) {
      tls.put("client_ca_file", write(dir.resolve("custom-ca.pem"), ca).toString())
          .put("grpc_client_auth", verify ? "required" : "request");
    }
    return tls;
  }

  private static String string(Map<String, List<Object>> config, String field, String source) {
    List<Object> values = config.getOrDefault(field, List.of());
    if (values.size() > 1 || !values.isEmpty() && !(values.get(0) instanceof String)) {
      throw new IllegalArgumentException(source + ": " + field + " must be given once, as a value");
    }
    return values.isEmpty() ? "" : ((String) values.get(0)).trim();
  }

  private static Path privateDirectory() {
    try {
      Path dir = Files.createTempDirectory("maas-tfserving-tls",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a directory for --ssl_config_file's certificates: " + e, e);
    }
  }

  private static Path write(Path file, String pem) {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, pem + "\n");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e, e);
    }
  }
}
