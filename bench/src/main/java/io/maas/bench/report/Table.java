package io.maas.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of text cells under named columns, written as a Markdown table or as CSV (RFC 4180 quoting).
 * Columns whose name starts with {@code <} are left-aligned in Markdown; the others right-aligned.
 */
public final class Table {
  private final List<String> columns;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(List<String> columns) {
    this.columns = List.copyOf(columns);
  }

  public Table add(List<String> cells) {
    if (cells.size() != columns.size()) {
      throw new IllegalArgumentException(cells.size() + " cells for " + columns.size() + " columns");
    }
    rows.add(List.copyOf(cells));
    return this;
  }

  public int size() {
    return rows.size();
  }

  public String markdown() {
    StringBuilder sb = new StringBuilder("|");
    columns.forEach(c -> sb.append(' ').append(name(c)).append(" |"));
    sb.append("\n|");
    columns.forEach(c -> sb.append(c.startsWith("<") ? "---|" : "---:|"));
    sb.append('\n');
    for (List<String> row : rows) {
      sb.append('|');
      row.forEach(cell -> sb.append(' ').append(cell.replace("|", "\\|").replace("\n", " ")).append(" |"));
      sb.append('\n');
    }
    return sb.toString();
  }

  public String csv() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.join(",", columns.stream().map(c -> quote(name(c))).toList())).append('\n');
    for (List<String> row : rows) {
      sb.append(String.join(",", row.stream().map(Table::quote).toList())).append('\n');
    }
    return sb.toString();
  }

  private static String name(String column) {
    return column.startsWith("<") ? column.substring(1) : column;
  }

  static String quote(String cell) {
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n")) {
      return '"' + cell.replace("\"", "\"\"") + '"';
    }
    return cell;
  }
}
