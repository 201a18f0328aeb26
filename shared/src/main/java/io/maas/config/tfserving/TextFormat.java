package io.maas.config.tfserving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader of protobuf's text format, enough for TF Serving's configuration files: fields
 * {@code name: value} (strings in single or double quotes, numbers, enum words) and messages
 * {@code name { ... }} or {@code name: { ... }}, with {@code #} comments and optional {@code ,}/{@code ;}
 * separators. A message reads as a map from field name to every value given for it, in order (repeated
 * fields repeat the name); a value is a {@link String} or a nested message.
 */
final class TextFormat {
  private final String text;
  private final String source;
  private int pos;

  private TextFormat(String text, String source) {
    this.text = text;
    this.source = source;
  }

  /**
   * @param source names the text in error messages (the file)
   * @throws IllegalArgumentException with the line of the first syntax error
   */
  static Map<String, List<Object>> parse(String text, String source) {
    TextFormat reader = new TextFormat(text, source);
    Map<String, List<Object>> message = reader.message(false);
    return message;
  }

  private Map<String, List<Object>> message(boolean nested) {
    Map<String, List<Object>> fields = new LinkedHashMap<>();
    while (true) {
      skipSpace();
      if (pos >= text.length()) {
        if (nested) {
          throw error("a '}' is missing");
        }
        return fields;
      }
      if (text.charAt(pos) == '}') {
        if (!nested) {
          throw error("'}' without its '{'");
        }
        pos++;
        return fields;
      }
      String name = word();
      skipSpace();
      boolean colon = peek(':');
      if (colon) {
        pos++;
        skipSpace();
      }
      Object value;
      if (peek('{')) {
        pos++;
        value = message(true);
      } else if (!colon) {
        throw error("expected ':' or '{' after '" + name + "'");
      } else {
        value = scalar();
      }
      fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      skipSpace();
      if (peek(',') || peek(';')) {
        pos++;
      }
    }
  }

  private Object scalar() {
    if (!(peek('\'') || peek('"'))) {
      return word();
    }
    StringBuilder out = new StringBuilder();
    while (peek('\'') || peek('"')) { // adjacent strings are one, as protobuf's text format has it
      char quote = text.charAt(pos++);
      while (pos < text.length() && text.charAt(pos) != quote) {
        char c = text.charAt(pos++);
        if (c == '\\' && pos < text.length()) {
          c = switch (text.charAt(pos++)) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            default -> text.charAt(pos - 1);
          };
        }
        out.append(c);
      }
      if (pos >= text.length()) {
        throw error("a string is not closed");
      }
      pos++;
      skipSpace();
    }
    return out.toString();
  }

  private String word() {
    int start = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "_.-+".indexOf(text.charAt(pos)) >= 0)) {
      pos++;
    }
    if (start == pos) {
      throw error("unexpected '" + text.charAt(pos) + "'");
    }
    return text.substring(start, pos);
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else {
        return;
      }
    }
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private IllegalArgumentException error(String what) {
    long line = text.substring(0, Math.min(pos, text.length())).chars().filter(c -> c == '\n').count() + 1;
    return new IllegalArgumentException(source + ", line " + line + ": " + what);
  }
}
