package dev.weft.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Rows printed as aligned columns: text to the left, the columns marked as numbers to the right. */
final class TextTable {
  private final List<String> header;
  private final boolean[] numbers;
  private final List<List<String>> rows = new ArrayList<>();

  /** @param numberColumns the columns (by index) aligned to the right */
  TextTable(List<String> header, int... numberColumns) {
    this.header = header;
    this.numbers = new boolean[header.size()];
    for (int column : numberColumns) {
      numbers[column] = true;
    }
  }

  TextTable row(String... cells) {
    rows.add(List.of(cells));
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintStream out, String indent) {
    int[] widths = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < widths.length; i++) {
        String cell = row.get(i);
        String pad = " ".repeat(widths[i] - cell.length());
        line.append(i == 0 ? "" : "  ").append(numbers[i] ? pad + cell : cell + pad);
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
