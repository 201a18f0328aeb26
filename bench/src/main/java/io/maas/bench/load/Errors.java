package io.maas.bench.load;

/** Keeps error messages short enough for a table cell. */
final class Errors {
  static final int MAX = 160;

  private Errors() {}

  static String shorten(String message) {
    String one = message.replaceAll("\\s+", " ").trim();
    return one.length() <= MAX ? one : one.substring(0, MAX) + "...";
  }
}
