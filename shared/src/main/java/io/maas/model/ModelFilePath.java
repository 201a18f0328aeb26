package io.maas.model;

import io.maas.error.MaasException;
import java.util.regex.Pattern;

/**
 * The path of an uploaded file in a model's directory (Triton's {@code file:<version>/<name>} load
 * parameters): a version directory and a file name ({@code 1/model.onnx}), or a file at the model's top
 * ({@code tokenizer.json}); plain names only, so nothing can be written outside the model's directory.
 */
public final class ModelFilePath {
  private static final Pattern PATH = Pattern.compile("(\\d{1,18}/)?[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  private ModelFilePath() {}

  /** @throws MaasException INVALID_ARGUMENT for a path that is absolute, climbs, or is not plain */
  public static String check(String path) {
    if (path == null || !PATH.matcher(path).matches() || path.contains("..")) {
      String shown = path == null ? "" : path.length() > 80 ? path.substring(0, 80) + "..." : path;
      throw MaasException.invalid("'file:%s' is not a file of a model: give <version>/<name> (e.g. file:1/model.onnx) "
          + "or <name>, with letters, digits, '_', '.' and '-' only", shown);
    }
    return path;
  }
}
