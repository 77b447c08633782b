package io.migaudit.cli.report;

/** The HTML report's drill-down: alerts per control and per host pair. */
final class ReportDrillDown {
  private ReportDrillDown() {}

  static void render(StringBuilder b, ComplianceReport r) {
    b.append(
            "<h2>Alerts per control</h2>\n<table><thead><tr><th>Control</th><th>Alerts</th><th>Rules</th>")
        .append("<th>Severities</th><th>Host pairs (alerts, critical)</th></tr></thead><tbody>\n");
    r.controls.forEach(
        (c, row) ->
            b.append("<tr><td>")
                .append(ReportHtml.esc(c))
                .append("</td><td class=\"n\">")
                .append(row.alerts)
                .append("</td><td>")
                .append(ReportHtml.esc(ReportText.counts(row.rules)))
                .append("</td><td>")
                .append(ReportHtml.esc(ReportText.severities(row.severities)))
                .append("</td><td>")
                .append(
                    ReportHtml.joined(
                        row.pairs.entrySet().stream()
                            .map(
                                e ->
                                    e.getKey()
                                        + " ("
                                        + e.getValue()[0]
                                        + (e.getValue()[1] > 0
                                            ? ", " + e.getValue()[1] + " critical"
                                            : "")
                                        + ")")
                            .toList()))
                .append("</td></tr>\n"));
    if (r.controls.isEmpty()) {
      b.append("<tr><td colspan=\"5\">none</td></tr>\n");
    }
    b.append(
            "</tbody></table>\n<h2>Alerts per host pair (sender &rarr; receiver)</h2>\n<table><thead><tr>")
        .append("<th>Sender &rarr; receiver</th><th>Alerts</th><th>Rules</th>")
        .append(
            "<th>Controls evidenced</th><th>Example (newest per rule)</th></tr></thead><tbody>\n");
    r.pairs.forEach(
        (p, row) ->
            b.append("<tr><td>")
                .append(ReportHtml.esc(p))
                .append("</td><td class=\"n\">")
                .append(row.alerts)
                .append("</td><td>")
                .append(ReportHtml.esc(ReportText.counts(row.rules)))
                .append("</td><td>")
                .append(ReportHtml.joined(row.controls))
                .append("</td><td>")
                .append(
                    ReportHtml.joined(
                        row.example.entrySet().stream()
                            .map(e -> e.getKey() + ": " + e.getValue().message())
                            .toList()))
                .append("</td></tr>\n"));
    if (r.pairs.isEmpty()) {
      b.append("<tr><td colspan=\"5\">none</td></tr>\n");
    }
    b.append("</tbody></table>\n");
  }
}
