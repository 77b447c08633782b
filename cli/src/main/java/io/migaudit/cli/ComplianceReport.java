package io.migaudit.cli;

import io.migaudit.record.Alert;
import io.migaudit.record.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Alerts grouped per compliance control and per host pair (sender to receiver), rendered as text or
 * as a self-contained HTML page. Deterministic: the same alerts give the same bytes.
 */
final class ComplianceReport {
  static final String NO_CONTROL = "(no control mapped)";

  /** Alerts of one control. */
  static final class ControlRow {
    int alerts;
    final Map<String, Integer> rules = new TreeMap<>();
    final Map<Severity, Integer> severities = new TreeMap<>();
    final Set<String> pairs = new TreeSet<>();
  }

  /** Alerts from one sender to one receiver. */
  static final class PairRow {
    int alerts;
    final Map<String, Integer> rules = new TreeMap<>();
    final Set<String> controls = new TreeSet<>();
    /** Per rule, the message of its newest alert (ties: the smallest message): an example. */
    final Map<String, Alert> example = new TreeMap<>();
  }

  private static final Comparator<Alert> NEWEST_FIRST = Comparator.comparing(Alert::detectedAt)
      .reversed().thenComparing(a -> String.valueOf(a.message()));

  final int total;
  final int selected;
  final Instant from;
  final Instant to;
  final Instant reference;
  final Duration window;
  final Map<String, ControlRow> controls = new TreeMap<>();
  final Map<String, PairRow> pairs = new TreeMap<>();

  private ComplianceReport(int total, List<Alert> selected, Duration window, Instant reference) {
    this.total = total;
    this.selected = selected.size();
    this.window = window;
    this.reference = reference;
    this.from = selected.stream().map(Alert::detectedAt).min(Comparator.naturalOrder()).orElse(null);
    this.to = selected.stream().map(Alert::detectedAt).max(Comparator.naturalOrder()).orElse(null);
    for (Alert a : selected) {
      String pair = pair(a);
      String rule = String.valueOf(a.rule());
      List<String> cs = a.controls().isEmpty() ? List.of(NO_CONTROL) : a.controls();
      for (String c : new TreeSet<>(cs)) {
        ControlRow row = controls.computeIfAbsent(c, k -> new ControlRow());
        row.alerts++;
        row.rules.merge(rule, 1, Integer::sum);
        if (a.severity() != null) {
          row.severities.merge(a.severity(), 1, Integer::sum);
        }
        row.pairs.add(pair);
      }
      PairRow p = pairs.computeIfAbsent(pair, k -> new PairRow());
      p.alerts++;
      p.rules.merge(rule, 1, Integer::sum);
      p.controls.addAll(a.controls());
      p.example.merge(rule, a, (x, y) -> NEWEST_FIRST.compare(x, y) <= 0 ? x : y);
    }
  }

  /**
   * The report over {@code alerts}; with a window, only alerts detected at or after
   * {@code reference - window} (reference: the given instant, else the newest alert's detectedAt).
   */
  static ComplianceReport of(List<Alert> alerts, Duration window, Instant reference) {
    List<Alert> usable = alerts.stream().filter(a -> a.detectedAt() != null).toList();
    Instant ref = reference;
    if (ref == null && window != null) {
      ref = usable.stream().map(Alert::detectedAt).max(Comparator.naturalOrder()).orElse(null);
    }
    List<Alert> selected = new ArrayList<>(usable);
    if (window != null && ref != null) {
      Instant cutoff = ref.minus(window);
      Instant end = ref;
      selected = usable.stream()
          .filter(a -> !a.detectedAt().isBefore(cutoff) && !a.detectedAt().isAfter(end))
          .collect(Collectors.toCollection(ArrayList::new));
    }
    return new ComplianceReport(alerts.size(), selected, window, window == null ? null : ref);
  }

  static String pair(Alert a) {
    return a.src() + " -> " + a.dst();
  }

  private static String counts(Map<?, Integer> m) {
    return m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String severities(Map<Severity, Integer> m) {
    return m.entrySet().stream().map(e -> e.getKey().wire() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  String header() {
    StringBuilder b = new StringBuilder();
    b.append(selected).append(" alert(s)");
    if (selected != total) {
      b.append(" of ").append(total).append(" read");
    }
    if (from != null) {
      b.append(", detected ").append(from).append(" .. ").append(to);
    }
    if (window != null) {
      b.append(", window ").append(human(window)).append(" before ")
          .append(reference == null ? "(no alerts)" : reference.toString());
    }
    b.append(", ").append(controls.size()).append(" control(s), ").append(pairs.size())
        .append(" host pair(s)");
    return b.toString();
  }

  /** The report as plain text. Values from the network are printed as read, one line each. */
  String text() {
    StringBuilder b = new StringBuilder();
    b.append("migaudit compliance report\n").append(header()).append("\n\n");
    b.append("Per control\n");
    if (controls.isEmpty()) {
      b.append("  (none)\n");
    }
    controls.forEach((c, r) -> {
      b.append("  ").append(oneLine(c)).append(": ").append(r.alerts).append(" alert(s), ")
          .append(r.pairs.size()).append(" host pair(s)\n");
      b.append("    rules: ").append(counts(r.rules)).append('\n');
      b.append("    severities: ").append(severities(r.severities)).append('\n');
      b.append("    host pairs: ").append(oneLine(String.join(", ", r.pairs))).append('\n');
    });
    b.append("\nPer host pair (sender -> receiver)\n");
    if (pairs.isEmpty()) {
      b.append("  (none)\n");
    }
    pairs.forEach((p, r) -> {
      b.append("  ").append(oneLine(p)).append(": ").append(r.alerts).append(" alert(s)\n");
      b.append("    rules: ").append(counts(r.rules)).append('\n');
      b.append("    controls: ").append(r.controls.isEmpty() ? "-"
          : oneLine(String.join(", ", r.controls))).append('\n');
      r.example.forEach((rule, a) -> b.append("    e.g. ").append(rule).append(": ")
          .append(oneLine(String.valueOf(a.message()))).append('\n'));
    });
    return b.toString();
  }

  /** The report as one HTML page: inline CSS, no scripts, every value escaped. */
  String html() {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>migaudit compliance report</title>\n<style>")
        .append("body{font-family:sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin-bottom:2em}")
        .append("th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}")
        .append("th{background:#eee}td.n{text-align:right}")
        .append("</style></head><body>\n<h1>migaudit compliance report</h1>\n<p>")
        .append(esc(header())).append("</p>\n<h2>Per control</h2>\n<table>")
        .append("<tr><th>Control</th><th>Alerts</th><th>Rules</th><th>Severities</th>")
        .append("<th>Host pairs</th></tr>\n");
    controls.forEach((c, r) -> b.append("<tr><td>").append(esc(c)).append("</td><td class=\"n\">")
        .append(r.alerts).append("</td><td>").append(esc(counts(r.rules))).append("</td><td>")
        .append(esc(severities(r.severities))).append("</td><td>")
        .append(r.pairs.stream().map(ComplianceReport::esc).collect(Collectors.joining("<br>")))
        .append("</td></tr>\n"));
    b.append("</table>\n<h2>Per host pair (sender &rarr; receiver)</h2>\n<table>")
        .append("<tr><th>Sender &rarr; receiver</th><th>Alerts</th><th>Rules</th>")
        .append("<th>Controls evidenced</th><th>Example (newest per rule)</th></tr>\n");
    pairs.forEach((p, r) -> b.append("<tr><td>").append(esc(p)).append("</td><td class=\"n\">")
        .append(r.alerts).append("</td><td>").append(esc(counts(r.rules))).append("</td><td>")
        .append(r.controls.stream().map(ComplianceReport::esc).collect(Collectors.joining("<br>")))
        .append("</td><td>").append(r.example.entrySet().stream()
            .map(e -> esc(e.getKey() + ": " + e.getValue().message()))
            .collect(Collectors.joining("<br>")))
        .append("</td></tr>\n"));
    b.append("</table>\n</body></html>\n");
    return b.toString();
  }

  /** 90m, 24h, 7d: the way --since is written. */
  static String human(Duration d) {
    long s = d.getSeconds();
    if (s % 86400 == 0 && s >= 86400 * 2) {
      return s / 86400 + "d";
    }
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (c < 0x20 && c != '\t' && c != '\n') {
            b.append("&#xFFFD;");
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** Control characters (a newline in a network-supplied value) must not forge report lines. */
  private static String oneLine(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> {
      if (Character.isISOControl(cp)) {
        b.append(String.format("\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.toString();
  }
}
