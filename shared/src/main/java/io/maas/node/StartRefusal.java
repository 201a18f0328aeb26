package io.maas.node;

/**
 * A start refused for something the operator gave (a model base path that does not exist, a SavedModel
 * instead of ONNX, ...): an {@link IllegalArgumentException} anywhere in the failure's causes. Its message
 * says what to fix; a stack trace would only bury it.
 */
final class StartRefusal {
  private StartRefusal() {}

  /** The refusal's message, or null when the failure is not one (a bug or an environment problem). */
  static String message(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return t.getMessage();
      }
    }
    return null;
  }
}
