package io.maas.model;

import io.maas.error.MaasException;
import java.util.regex.Pattern;

/** Model names are directory names in a repository: a plain name, never a path. */
public final class ModelNames {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  private ModelNames() {}

  /** @throws MaasException INVALID_ARGUMENT for a name that could leave the repository or is not a plain name */
  public static String check(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw MaasException.invalid("'%s' is not a model name: letters, digits, '_', '.' and '-', at most 128, not a path",
          name == null ? "" : name.length() > 64 ? name.substring(0, 64) + "..." : name);
    }
    return name;
  }
}
