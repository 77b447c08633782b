package io.migaudit.cli.report;

import io.migaudit.record.Verdict;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Inline SVG charts of a {@link ComplianceReport}, drawn here (no script, no external file):
 * migrations per day by verdict, share of bytes by verdict, host pairs with most findings. Every
 * text is escaped; sizes are fixed so the page prints the same as it shows.
 */
final class ReportCharts {
  static final int WIDTH = 640;
  private static final int LEFT = 40;
  private static final int TOP_PAIRS = 8;
  private static final List<Verdict> ORDER =
      List.of(Verdict.ENCRYPTED, Verdict.UNKNOWN, Verdict.COMPRESSED, Verdict.PLAINTEXT);

  private ReportCharts() {}

  static String color(Verdict v) {
    return switch (v) {
      case ENCRYPTED -> "#2e7d32";
      case COMPRESSED -> "#ef6c00";
      case PLAINTEXT -> "#c62828";
      default -> "#757575";
    };
  }

  private static StringBuilder open(int height, String label) {
    return new StringBuilder()
        .append("<svg width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"")
        .append(ReportHtml.esc(label))
        .append("\"><title>")
        .append(ReportHtml.esc(label))
        .append("</title>");
  }

  private static void text(StringBuilder b, double x, double y, String anchor, String s) {
    b.append(
            String.format(
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">", x, y, anchor))
        .append(ReportHtml.esc(s))
        .append("</text>");
  }

  private static void rect(StringBuilder b, double x, double y, double w, double h, String fill) {
    b.append(
        String.format(
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
            x, y, Math.max(w, 0), Math.max(h, 0), fill));
  }

  private static void legend(StringBuilder b, double y) {
    double x = LEFT;
    for (Verdict v : ORDER) {
      rect(b, x, y - 9, 10, 10, color(v));
      text(b, x + 14, y, "start", v.wire());
      x += 100;
    }
  }

  /** Stacked bars: migration events started per UTC day, by verdict. */
  static String perDay(Map<LocalDate, Map<Verdict, Integer>> perDay) {
    int height = 220;
    int plotTop = 10;
    int plotBottom = height - 45;
    StringBuilder b = open(height, "Migrations per day by verdict");
    int max =
        perDay.values().stream()
            .mapToInt(m -> m.values().stream().mapToInt(Integer::intValue).sum())
            .max()
            .orElse(0);
    b.append(
        String.format(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>",
            LEFT, plotBottom, WIDTH - 10, plotBottom));
    text(b, LEFT - 4, plotTop + 8, "end", String.valueOf(max));
    text(b, LEFT - 4, plotBottom, "end", "0");
    if (max == 0) {
      text(b, WIDTH / 2.0, plotBottom / 2.0, "middle", "no migration observed");
    }
    int days = perDay.size();
    double slot = days == 0 ? 0 : (WIDTH - 10.0 - LEFT) / days;
    double barWidth = Math.min(40, slot * 0.8);
    int labelEvery = Math.max(1, (int) Math.ceil(days / 8.0));
    int i = 0;
    for (Map.Entry<LocalDate, Map<Verdict, Integer>> day : perDay.entrySet()) {
      double x = LEFT + i * slot + (slot - barWidth) / 2;
      double y = plotBottom;
      for (Verdict v : ORDER) {
        int n = day.getValue().getOrDefault(v, 0);
        double h = (double) n / max * (plotBottom - plotTop);
        y -= h;
        rect(b, x, y, barWidth, h, color(v));
      }
      if (i % labelEvery == 0) {
        text(b, x + barWidth / 2, plotBottom + 14, "middle", day.getKey().toString());
      }
      i++;
    }
    legend(b, height - 8);
    return b.append("</svg>").toString();
  }

  /** One 100% bar: bytes of migration events by verdict. */
  static String bytesShare(Map<Verdict, Long> bytes) {
    int height = 80;
    StringBuilder b = open(height, "Share of migration bytes by verdict");
    long total = bytes.values().stream().mapToLong(Long::longValue).sum();
    double x = LEFT;
    double width = WIDTH - 10.0 - LEFT;
    if (total == 0) {
      rect(b, x, 10, width, 28, "#e0e0e0");
      text(b, x + width / 2, 28, "middle", "no migration bytes observed");
    }
    for (Verdict v : ORDER) {
      long n = bytes.getOrDefault(v, 0L);
      if (total == 0 || n == 0) {
        continue;
      }
      double w = width * n / total;
      rect(b, x, 10, w, 28, color(v));
      if (w > 50) {
        b.append(
                String.format(
                    "<text x=\"%.1f\" y=\"28\" font-size=\"11\" text-anchor=\"middle\" fill=\"#fff\">",
                    x + w / 2))
            .append(ReportText.percent(n, total))
            .append("</text>");
      }
      x += w;
    }
    legend(b, height - 12);
    return b.append("</svg>").toString();
  }

  /** Horizontal bars: host pairs with most alerts, critical part darker. */
  static String topPairs(Map<String, ComplianceReport.PairRow> pairs) {
    List<Map.Entry<String, ComplianceReport.PairRow>> top = new ArrayList<>(pairs.entrySet());
    top.sort(
        Comparator.comparing(
                (Map.Entry<String, ComplianceReport.PairRow> e) -> -e.getValue().alerts)
            .thenComparing(Map.Entry::getKey));
    top = top.subList(0, Math.min(TOP_PAIRS, top.size()));
    int rowHeight = 22;
    int labelWidth = 260;
    int height = Math.max(1, top.size()) * rowHeight + 30;
    StringBuilder b = open(height, "Host pairs with most findings");
    int max = top.stream().mapToInt(e -> e.getValue().alerts).max().orElse(0);
    if (top.isEmpty()) {
      text(b, WIDTH / 2.0, 16, "middle", "no finding");
    }
    double width = WIDTH - 50.0 - labelWidth;
    int y = 4;
    for (Map.Entry<String, ComplianceReport.PairRow> e : top) {
      int n = e.getValue().alerts;
      int crit = e.getValue().critical;
      text(b, labelWidth - 6, y + 14, "end", e.getKey());
      rect(b, labelWidth, y + 3, width * n / max, 15, "#ef9a9a");
      rect(b, labelWidth, y + 3, width * crit / max, 15, "#c62828");
      text(b, labelWidth + width * n / max + 4, y + 14, "start", String.valueOf(n));
      y += rowHeight;
    }
    rect(b, labelWidth, height - 18, 10, 10, "#c62828");
    text(b, labelWidth + 14, height - 9, "start", "critical");
    rect(b, labelWidth + 90, height - 18, 10, 10, "#ef9a9a");
    text(b, labelWidth + 104, height - 9, "start", "warning");
    return b.append("</svg>").toString();
  }
}
