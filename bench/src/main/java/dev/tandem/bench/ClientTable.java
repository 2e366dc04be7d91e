package dev.tandem.bench;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Prints each workload's figures with one column per server, so they read side by side. */
final class ClientTable {

  private static final int LABEL = 26;
  private static final int COLUMN = 34;

  private ClientTable() {}

  static String render(ClientWorkload w, List<ClientFigures> cells) {
    StringBuilder sb = new StringBuilder();
    sb.append(w.title()).append(" [").append(w.id()).append("]\n");
    sb.append(pad("", LABEL));
    cells.forEach(c -> sb.append(pad(c.server(), COLUMN)));
    sb.append('\n');
    Set<String> rows = new LinkedHashSet<>();
    cells.forEach(c -> rows.addAll(c.figures().keySet()));
    if (cells.stream().anyMatch(c -> c.failure().isPresent())) {
      sb.append(pad("", LABEL));
      cells.forEach(c -> sb.append(pad(c.failure().map(x -> "FAILED (below)").orElse(""), COLUMN)));
      sb.append('\n');
    }
    for (String row : rows) {
      sb.append(pad("  " + row, LABEL));
      for (ClientFigures c : cells) {
        sb.append(pad(c.figures().getOrDefault(row, c.figures().isEmpty() ? "" : "-"), COLUMN));
      }
      sb.append('\n');
    }
    for (ClientFigures c : cells) {
      c.failure().ifPresent(f -> sb.append("  ").append(c.server()).append(" failed: ").append(f).append('\n'));
    }
    return sb.toString();
  }

  /** One server's figures alone, as they come in. */
  static String line(ClientWorkload w, ClientFigures c) {
    StringBuilder sb = new StringBuilder(w.id()).append(" on ").append(c.server()).append(": ");
    c.failure().ifPresent(f -> sb.append("FAILED: ").append(f));
    for (Map.Entry<String, String> e : c.figures().entrySet()) {
      sb.append(e.getKey()).append(' ').append(e.getValue()).append("; ");
    }
    return sb.toString();
  }

  private static String pad(String s, int width) {
    // Never cut: a long value (errors by code) pushes the next column rather than lose its end.
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }
}
