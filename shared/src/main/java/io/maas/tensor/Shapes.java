package io.maas.tensor;

import java.util.Arrays;

/** Shape helpers. A dimension of -1 in a model signature means "any size". */
public final class Shapes {
  private Shapes() {}

  public static String format(long[] shape) {
    return Arrays.toString(shape);
  }

  /** Whether a concrete shape fits a signature shape (same rank; -1 matches any size). */
  public static boolean matches(long[] signature, long[] actual) {
    if (signature.length != actual.length) {
      return false;
    }
    for (int i = 0; i < signature.length; i++) {
      if (signature[i] >= 0 && signature[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }
}
