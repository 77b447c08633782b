package io.migaudit.cli.classify;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Prints a classify report as aligned text or as Markdown tables. */
final class ClassifyReportPrinter {
  private final PrintWriter out;
  private final boolean markdown;

  ClassifyReportPrinter(PrintWriter out, boolean markdown) {
    this.out = out;
    this.markdown = markdown;
  }

  void print(List<ClassifyReport.Row> rows, long budgetBytes) {
    row(
        "sample",
        "flow",
        "protocol",
        "condition",
        "expected",
        "verdict",
        "KiB to verdict",
        "ms to verdict",
        "stream",
        "reason");
    if (markdown) {
      out.println("| --- | --- | --- | --- | --- | --- | ---: | ---: | --- | --- |");
    }
    for (ClassifyReport.Row r : rows) {
      row(
          r.sample(),
          r.flow(),
          r.protocol(),
          r.condition(),
          r.expected(),
          r.got().wire() + (r.correct() ? "" : " (WRONG)"),
          ClassifyReportCommand.kib(r.timeline().payloadBytesToVerdict()),
          String.format(Locale.ROOT, "%.1f", r.timeline().millisToVerdict()),
          String.join(", ", r.conditions().stream().map(StreamCondition::label).toList()),
          r.timeline().last().payload().reason());
    }
    out.println();
    matrix(rows);
    out.println();
    conditions(rows);
    out.println();
    streamConditions(rows);
    long worst = rows.stream().mapToLong(r -> r.timeline().payloadBytesToVerdict()).max().orElse(0);
    long correct = rows.stream().filter(ClassifyReport.Row::correct).count();
    out.printf(
        Locale.ROOT,
        "%n%d migration flows, %d with the expected verdict, %d not; most payload before a"
            + " final verdict: %s KiB (budget %s KiB)%s%n",
        rows.size(),
        correct,
        rows.size() - correct,
        ClassifyReportCommand.kib(worst),
        ClassifyReportCommand.kib(budgetBytes),
        worst > budgetBytes ? " EXCEEDED" : "");
  }

  private void matrix(List<ClassifyReport.Row> rows) {
    List<String> verdicts = ClassifyReportCommand.verdictNames();
    String[] header = new String[verdicts.size() + 1];
    header[0] = "expected \\ got";
    for (int i = 0; i < verdicts.size(); i++) {
      header[i + 1] = verdicts.get(i);
    }
    matrixRow(header);
    if (markdown) {
      out.println("| --- |" + " ---: |".repeat(verdicts.size()));
    }
    for (String expected : verdicts) {
      String[] cells = new String[verdicts.size() + 1];
      cells[0] = expected;
      for (int i = 0; i < verdicts.size(); i++) {
        String got = verdicts.get(i);
        cells[i + 1] =
            Long.toString(
                rows.stream()
                    .filter(r -> r.expected().equals(expected) && r.got().wire().equals(got))
                    .count());
      }
      matrixRow(cells);
    }
  }

  /**
   * Flows and verdicts per stream condition: how the classifier fares under each (a flow may be in
   * several).
   */
  private void streamConditions(List<ClassifyReport.Row> rows) {
    String[] header = {"stream condition", "flows", "expected", "wrong"};
    if (markdown) {
      row(header);
      out.println("| --- | ---: | ---: | ---: |");
    } else {
      out.println(String.format("%-40s%8s%10s%8s", (Object[]) header));
    }
    for (StreamCondition c : StreamCondition.values()) {
      List<ClassifyReport.Row> in = rows.stream().filter(r -> r.conditions().contains(c)).toList();
      long right = in.stream().filter(ClassifyReport.Row::correct).count();
      String[] cells = {
        c.label(), Long.toString(in.size()), Long.toString(right), Long.toString(in.size() - right)
      };
      if (markdown) {
        row(cells);
      } else {
        out.println(String.format("%-40s%8s%10s%8s", (Object[]) cells));
      }
    }
  }

  /** Flows and right verdicts per condition (a flow counts once under each of its conditions). */
  private void conditions(List<ClassifyReport.Row> rows) {
    Map<String, long[]> counts = new TreeMap<>();
    for (ClassifyReport.Row r : rows) {
      for (String c : r.condition().split(", ")) {
        long[] n = counts.computeIfAbsent(c, k -> new long[2]);
        n[0]++;
        n[1] += r.correct() ? 1 : 0;
      }
    }
    matrixRow("condition", "flows", "right");
    if (markdown) {
      out.println("| --- | ---: | ---: |");
    }
    counts.forEach((c, n) -> matrixRow(c, Long.toString(n[0]), Long.toString(n[1])));
  }

  private void matrixRow(String... cells) {
    if (markdown) {
      row(cells);
      return;
    }
    StringBuilder sb = new StringBuilder(String.format("%-26s", cells[0]));
    for (int i = 1; i < cells.length; i++) {
      sb.append(String.format("%11s", cells[i]));
    }
    out.println(sb);
  }

  private void row(String... cells) {
    if (markdown) {
      out.println("| " + String.join(" | ", cells) + " |");
      return;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      int width = i == 0 ? 30 : i == 1 ? 44 : i == 3 ? 26 : i == 8 ? 36 : 12;
      sb.append(String.format("%-" + width + "s", cells[i])).append(' ');
    }
    out.println(sb.toString().stripTrailing());
  }
}
